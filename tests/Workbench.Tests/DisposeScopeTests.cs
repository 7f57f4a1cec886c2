namespace Workbench.Tests;

public class DisposeScopeTests
{
    [Fact]
    public void AScopeDisposesEveryTensorCreatedInItWhenItEnds()
    {
        Tensor a, b, c;
        using (var scope = DisposeScope.Enter())
        {
            a = Tensor.Ones([2]);
            b = a * 3;
            (c, _) = b.Sort();
            Assert.Equal(4, scope.Count);
            Assert.False(a.IsDisposed);
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.True(c.IsDisposed);
    }

    [Fact]
    public void ScopesNestAndTheInnermostOwnsNewTensors()
    {
        using var outer = DisposeScope.Enter();
        var kept = Tensor.Ones([2]);
        Tensor temp;
        using (var inner = DisposeScope.Enter())
        {
            Assert.Same(inner, DisposeScope.Current);
            temp = kept + 1;
            Assert.Equal(1, inner.Count);
        }
        Assert.Same(outer, DisposeScope.Current);
        Assert.True(temp.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(1, outer.Count);
    }

    [Fact]
    public void MoveToOuterScopeAndKeepHandAResultToTheEnclosingScope()
    {
        using var outer = DisposeScope.Enter();
        Tensor moved, kept;
        using (var inner = DisposeScope.Enter())
        {
            moved = (Tensor.Ones([2]) * 2).MoveToOuterScope();
            kept = inner.Keep(Tensor.Zeros([3]));
            Assert.Equal(1, inner.Count); // the Ones temporary
        }
        Assert.False(moved.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal([2f, 2f], moved.ToArray<float>());
        Assert.Equal(2, outer.Count);
        outer.Dispose();
        Assert.True(moved.IsDisposed);
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void DetachFromScopeLeavesTheTensorToItsOwner()
    {
        Tensor detached;
        using (DisposeScope.Enter())
            detached = Tensor.Ones([2]).DetachFromScope();
        Assert.False(detached.IsDisposed);
        Assert.Equal([1f, 1f], detached.ToArray<float>());
        detached.Dispose();
        Assert.True(detached.IsDisposed);
    }

    [Fact]
    public void DisposingATensorEarlyRemovesItFromItsScope()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Ones([2]);
        Assert.Equal(1, scope.Count);
        t.Dispose();
        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public void DisposingAScopeTwiceIsHarmless()
    {
        var scope = DisposeScope.Enter();
        var t = Tensor.Ones([1]);
        scope.Dispose();
        scope.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void ScopesEndedOutOfOrderLeaveNoEndedScopeCurrent()
    {
        var outer = DisposeScope.Enter();
        var inner = DisposeScope.Enter();
        var innerTensor = Tensor.Ones([1]);
        outer.Dispose(); // the wrong order
        Assert.False(innerTensor.IsDisposed);
        inner.Dispose();
        Assert.True(innerTensor.IsDisposed);
        Assert.Null(DisposeScope.Current); // not the ended outer scope, which would never free new tensors
    }

    [Fact]
    public void GradAndMultiOutputOpsAreOwnedByTheScope()
    {
        Tensor grad, values, indices;
        Tensor[] chunks;
        using (DisposeScope.Enter())
        {
            var x = Tensor.Ones([4], requiresGrad: true);
            (x * x).Sum().Backward();
            grad = x.Grad!;
            (values, indices) = x.Detach().TopK(2);
            chunks = x.Detach().Chunk(2);
        }
        Assert.True(grad.IsDisposed);
        Assert.True(values.IsDisposed);
        Assert.True(indices.IsDisposed);
        Assert.All(chunks, c => Assert.True(c.IsDisposed));
    }
}
