using System.Globalization;
using System.Text;
using Workbench.Extensions.Plotly;

namespace Workbench.Extensions;

/// <summary>
/// Where one token looks: the attention of a query token (frame, row, column) over every token of the spacetime
/// grid, one heatmap per frame side by side. The query's cell is outlined in red with its row and column drawn
/// through its frame (the spatial lines), and the same position is outlined in every other frame (the temporal
/// line): joint attention spreads over all of it, factorized attention stays on those lines, per-frame attention
/// never leaves the query's frame. Pick another query with the selectors or by clicking a cell: the view switches
/// between the precomputed maps in the browser. A line below gives the share of weight in the query's frame, on its
/// temporal line, elsewhere, and on text.
/// </summary>
public sealed class AttentionMapView : HtmlView
{
    public AttentionMapView(AttentionMapSet maps, (int T, int H, int W)? query = null, string? stage = null)
    {
        maps.Validate();
        Maps = maps;
        var (t, h, w) = maps.Grid;
        var middle = (t / 2, h / 2, w / 2);
        Stage = stage ?? maps.Stages[0];
        Query = query ?? (maps.Find(middle, Stage) is not null ? middle : maps.Maps.First(m => m.Stage == Stage).Query);
        if (maps.Find(Query, Stage) is null)
            throw new ArgumentException($"the set has no map for query {Query} in stage {Stage}", nameof(query));
    }

    public AttentionMapSet Maps { get; }
    /// <summary>The query shown first.</summary>
    public (int T, int H, int W) Query { get; }
    public string Stage { get; }
    public string ColorScale { get; init; } = "Viridis";
    /// <summary>Frames per row of heatmaps.</summary>
    public int Columns { get; init; } = 8;

    public Figure ToFigure() => BuildFigure(Maps.Find(Query, Stage)!);

    private Figure BuildFigure(QueryAttention map)
    {
        var (T, H, W) = Maps.Grid;
        int columns = Math.Min(T, Math.Max(1, Columns)), rows = (T + columns - 1) / columns;
        float max = Math.Max(map.Weights.Max(), 1e-12f);
        var cells = new List<Figure?>();
        for (int t = 0; t < T; t++)
        {
            var cell = Chart.Heatmap(map.Weights.AsSpan(t * H * W, H * W), H, W, ColorScale, 0, max);
            var trace = cell.Data[0];
            trace.ShowScale = t == T - 1;
            trace.XGap = 1; trace.YGap = 1;
            trace.HoverTemplate = $"frame {t}, h=%{{y}}, w=%{{x}}<br>weight %{{z:.4f}}<extra></extra>";
            var x = cell.Layout.XAxisOrNew();
            x.ShowTickLabels = W <= 16;
            x.DTick = 1;
            var y = cell.Layout.YAxisOrNew();
            y.ShowTickLabels = t % columns == 0 && H <= 16;
            y.DTick = 1;
            cells.Add(cell);
        }
        var titles = Enumerable.Range(0, T).Select(t => $"frame {t}").ToList();
        var figure = Chart.Grid(rows, columns, cells, titles, horizontalGap: 0.015, verticalGap: rows > 1 ? 0.12 : 0.08);
        figure.Layout.Shapes = QueryShapes(map.Query);
        figure.WithTitle(Maps.Title.Length > 0 ? Maps.Title : "attention of one query token")
              .WithMargin(30, 10, 60, 30);
        figure.Layout.Height = 90 + rows * Math.Clamp(1000 / columns * H / Math.Max(W, 1), 110, 300);
        figure.Layout.HoverMode = "closest";
        return figure;
    }

    /// <summary>Red box on the query; its row and column through its frame; orange boxes on its position in the other frames.</summary>
    private List<Shape> QueryShapes((int T, int H, int W) q)
    {
        var (T, H, W) = Maps.Grid;
        var shapes = new List<Shape>();
        for (int t = 0; t < T; t++)
        {
            string xr = Layout.AxisRef('x', t + 1), yr = Layout.AxisRef('y', t + 1);
            if (t == q.T)
            {
                shapes.Add(new Shape { Type = "line", XRef = xr, YRef = yr, X0 = -0.5, X1 = W - 0.5, Y0 = q.H, Y1 = q.H, Line = new Line { Color = "white", Width = 1, Dash = "dot" } });
                shapes.Add(new Shape { Type = "line", XRef = xr, YRef = yr, X0 = q.W, X1 = q.W, Y0 = -0.5, Y1 = H - 0.5, Line = new Line { Color = "white", Width = 1, Dash = "dot" } });
                shapes.Add(Box(xr, yr, q, "red", null));
            }
            else shapes.Add(Box(xr, yr, q, "orange", "dash"));
        }
        return shapes;
    }

    private static Shape Box(string xr, string yr, (int T, int H, int W) q, string color, string? dash) => new()
    {
        Type = "rect", XRef = xr, YRef = yr, X0 = q.W - 0.5, X1 = q.W + 0.5, Y0 = q.H - 0.5, Y1 = q.H + 0.5,
        Line = new Line { Color = color, Width = 2.5, Dash = dash },
    };

    public override string ToHtml(HtmlOptions options)
    {
        var (T, H, W) = Maps.Grid;
        var id = Html.NewId();
        var plotId = id + "p";
        var sb = new StringBuilder(Html.Style);
        sb.Append("<div class=\"wb-view wb-attention\" id=\"").Append(id).Append("\" data-query=\"").Append(Key(Query, Stage)).Append("\">\n");
        sb.Append("<div class=\"wb-controls\">");
        var stages = Maps.Stages;
        if (stages.Count > 1)
        {
            sb.Append("<label>stage <select class=\"wb-stage\">");
            foreach (var s in stages) sb.Append("<option").Append(s == Stage ? " selected" : "").Append('>').Append(Html.Encode(s)).Append("</option>");
            sb.Append("</select></label>");
        }
        sb.Append("<b>query</b>");
        Select(sb, "frame", "wb-qt", T, Query.T);
        Select(sb, "row", "wb-qh", H, Query.H);
        Select(sb, "column", "wb-qw", W, Query.W);
        sb.Append("<span style=\"color:#666\">(or click a cell)</span></div>\n");
        sb.Append("<div class=\"wb-stats\" style=\"color:#444;margin:4px 0\"></div>\n");
        // The data and the browser code come before the figure: the plot calls wbAttach once it is drawn.
        sb.Append("<script>(function(){var root=document.getElementById(").Append(Html.Js(id)).Append(");var G=[")
          .Append(T).Append(',').Append(H).Append(',').Append(W).Append("];var maps={");
        bool first = true;
        foreach (var m in Maps.Maps)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append(Html.Js(Key(m.Query, m.Stage))).Append(":{w:[");
            for (int i = 0; i < m.Weights.Length; i++)
            {
                if (i > 0) sb.Append(',');
                var v = m.Weights[i];
                sb.Append(float.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "0");
            }
            sb.Append(']');
            if (m.TextWeight is { } tw) sb.Append(",text:").Append(Html.Num(Math.Round(tw, 6)));
            sb.Append('}');
        }
        sb.Append("};").Append(Script).Append("})();</script>\n");
        sb.Append(ToFigure().ToHtml(options, plotId, afterPlot: "var v=document.getElementById(" + Html.Js(id) + ");if(v&&v.wbAttach)v.wbAttach(gd,Plotly);"));
        sb.Append("\n</div>");
        return sb.ToString();
    }

    private static void Select(StringBuilder sb, string label, string cls, int count, int selected)
    {
        sb.Append("<label>").Append(label).Append(" <select class=\"").Append(cls).Append("\">");
        for (int i = 0; i < count; i++) sb.Append("<option").Append(i == selected ? " selected" : "").Append('>').Append(i).Append("</option>");
        sb.Append("</select></label>");
    }

    private static string Key((int T, int H, int W) q, string stage) => $"{q.T},{q.H},{q.W}|{stage}";

    // The browser half: on a new query, restyle every frame's z and colour range, move the shapes, update the numbers.
    private const string Script =
        "var T=G[0],H=G[1],W=G[2],gd=null,P=null;" +
        "function el(c){return root.querySelector('.'+c);}" +
        "function ref(a,t){return t===0?a:a+(t+1);}" +
        "function box(t,q,color,dash){return {type:'rect',xref:ref('x',t),yref:ref('y',t),x0:q[2]-0.5,x1:q[2]+0.5,y0:q[1]-0.5,y1:q[1]+0.5,line:{color:color,width:2.5,dash:dash||'solid'}};}" +
        "function shapes(q){var s=[];for(var t=0;t<T;t++){if(t===q[0]){" +
        "s.push({type:'line',xref:ref('x',t),yref:ref('y',t),x0:-0.5,x1:W-0.5,y0:q[1],y1:q[1],line:{color:'white',width:1,dash:'dot'}});" +
        "s.push({type:'line',xref:ref('x',t),yref:ref('y',t),x0:q[2],x1:q[2],y0:-0.5,y1:H-0.5,line:{color:'white',width:1,dash:'dot'}});" +
        "s.push(box(t,q,'red'));}else s.push(box(t,q,'orange','dash'));}return s;}" +
        "function pct(x){return (100*x).toFixed(1)+'%';}" +
        "function current(){var st=el('wb-stage');return {q:[+el('wb-qt').value,+el('wb-qh').value,+el('wb-qw').value],stage:st?st.value:" +
        "root.getAttribute('data-query').split('|')[1]};}" +
        "function show(){var c=current(),key=c.q.join(',')+'|'+c.stage,m=maps[key],stats=el('wb-stats');" +
        "if(!m){stats.textContent='no map was computed for query ('+c.q.join(', ')+') in stage '+c.stage;return;}" +
        "var zs=[],mx=1e-12,own=0,line=0,all=0;for(var i=0;i<m.w.length;i++){mx=Math.max(mx,m.w[i]);all+=m.w[i];}" +
        "for(var t=0;t<T;t++){var z=[];for(var h=0;h<H;h++){var row=m.w.slice((t*H+h)*W,(t*H+h+1)*W);z.push(row);" +
        "for(var w=0;w<W;w++){var v=row[w];if(t===c.q[0])own+=v;else if(h===c.q[1]&&w===c.q[2])line+=v;}}zs.push(z);}" +
        "root.setAttribute('data-query',key);" +
        "stats.textContent='query ('+c.q.join(', ')+'), '+c.stage+': own frame '+pct(own)+', same position in other frames '+pct(line)+" +
        "', elsewhere '+pct(Math.max(0,all-own-line))+(m.text!=null?', text '+pct(m.text):'')+', max '+mx.toPrecision(3);" +
        "if(!gd)return;var idx=[],zmax=[];for(var k=0;k<T;k++){idx.push(k);zmax.push(mx);}" +
        "P.update(gd,{z:zs,zmax:zmax,zmin:zmax.map(function(){return 0;})},{shapes:shapes(c.q)},idx);}" +
        "root.querySelectorAll('select').forEach(function(s){s.addEventListener('change',show);});" +
        "root.wbAttach=function(g,Plotly){gd=g;P=Plotly;" +
        "gd.on('plotly_click',function(ev){var p=ev.points&&ev.points[0];if(!p)return;" +
        "el('wb-qt').value=String(p.curveNumber);el('wb-qh').value=String(p.y);el('wb-qw').value=String(p.x);show();});show();};" +
        "show();";
}
