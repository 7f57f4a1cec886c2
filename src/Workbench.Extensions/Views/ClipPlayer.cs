using System.Text;
using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// Plays one clip, or several side by side in step (e.g. per-frame vs spacetime generation of one prompt): a canvas
/// per clip, play/pause, a frame slider, frames per second and loop. Frames travel as PNG data URIs and are drawn
/// with square pixels; clips shorter than the longest hold their last frame. No plotly.js needed.
/// </summary>
public sealed class ClipPlayer : HtmlView
{
    private readonly List<(string Label, VideoClip Clip)> _clips;

    public ClipPlayer(VideoClip clip, string? label = null) : this([(label ?? "", clip)]) { }

    public ClipPlayer(IEnumerable<(string Label, VideoClip Clip)> clips)
    {
        _clips = clips.ToList();
        if (_clips.Count == 0) throw new ArgumentException("a clip player needs at least one clip", nameof(clips));
    }

    /// <summary>Clips side by side, played in step.</summary>
    public static ClipPlayer Compare(params (string Label, VideoClip Clip)[] clips) => new(clips);

    /// <summary>A player for a video tensor (C, T, H, W) or (1, C, T, H, W) in [-1, 1] (see <see cref="TensorImages.ToClip"/>).</summary>
    public static ClipPlayer FromTensor(Tensor video, string? label = null, double fps = 8) => new(TensorImages.ToClip(video, fps: fps), label);

    public IReadOnlyList<(string Label, VideoClip Clip)> Clips => _clips;
    public string? Title { get; init; }
    /// <summary>Playback rate; the first clip's <see cref="VideoClip.Fps"/> when null.</summary>
    public double? Fps { get; init; }
    /// <summary>Screen pixels per clip pixel; by default the larger side is shown at about 192 px.</summary>
    public int? Scale { get; init; }
    public bool Autoplay { get; init; }
    public bool Loop { get; init; } = true;
    /// <summary>Show each clip's caption under its label.</summary>
    public bool ShowCaptions { get; init; } = true;

    public int Frames => _clips.Max(c => c.Clip.Frames);

    public override string ToHtml(HtmlOptions options)
    {
        var id = Html.NewId();
        int frames = Frames;
        double fps = Fps ?? _clips[0].Clip.Fps;
        var sb = new StringBuilder(Html.Style);
        sb.Append("<div class=\"wb-view wb-player\" id=\"").Append(id).Append("\" data-frame=\"0\" data-frames=\"").Append(frames)
          .Append("\" data-playing=\"0\">\n");
        if (Title is not null) sb.Append("<div class=\"wb-title\">").Append(Html.Encode(Title)).Append("</div>\n");
        sb.Append("<div style=\"display:flex;gap:12px;flex-wrap:wrap;align-items:flex-start\">\n");
        foreach (var (label, clip) in _clips)
        {
            int scale = Scale ?? Math.Max(1, (int)Math.Round(192.0 / Math.Max(clip.Height, clip.Width)));
            sb.Append("<figure><canvas class=\"wb-canvas\" width=\"").Append(clip.Width * scale).Append("\" height=\"").Append(clip.Height * scale)
              .Append("\" style=\"border:1px solid #ddd;background:#000\"></canvas><figcaption>");
            sb.Append(Html.Encode(label));
            if (ShowCaptions && clip.Caption.Length > 0) sb.Append("<br><i>").Append(Html.Encode(clip.Caption)).Append("</i>");
            sb.Append("</figcaption></figure>\n");
        }
        sb.Append("</div>\n<div class=\"wb-controls\"><button type=\"button\" class=\"wb-play\">▶ Play</button>")
          .Append("<input type=\"range\" class=\"wb-slider\" min=\"0\" max=\"").Append(frames - 1).Append("\" step=\"1\" value=\"0\">")
          .Append("<span class=\"wb-counter\">1 / ").Append(frames).Append("</span>")
          .Append("<label>fps <input type=\"number\" class=\"wb-fps\" min=\"1\" max=\"60\" value=\"").Append(Html.Num(fps)).Append("\"></label>")
          .Append("<label><input type=\"checkbox\" class=\"wb-loop\"").Append(Loop ? " checked" : "").Append("> loop</label></div>\n</div>\n");
        sb.Append("<script>(function(){var root=document.getElementById(").Append(Html.Js(id)).Append(");var clips=[");
        for (int k = 0; k < _clips.Count; k++)
        {
            var clip = _clips[k].Clip;
            if (k > 0) sb.Append(',');
            sb.Append('[');
            for (int t = 0; t < clip.Frames; t++)
                sb.Append(t > 0 ? ",\"" : "\"").Append(Html.PngDataUri(TensorImages.Frame(clip, t))).Append('"');
            sb.Append(']');
        }
        sb.Append("];var autoplay=").Append(Autoplay ? "true" : "false").Append(';').Append(Script).Append("})();</script>");
        return sb.ToString();
    }

    private const string Script =
        "var T=+root.getAttribute('data-frames');var canvases=root.querySelectorAll('canvas.wb-canvas');" +
        "var slider=root.querySelector('.wb-slider'),btn=root.querySelector('.wb-play'),counter=root.querySelector('.wb-counter')," +
        "fps=root.querySelector('.wb-fps'),loop=root.querySelector('.wb-loop');" +
        "var images=clips.map(function(c){return c.map(function(src){var im=new Image();im.src=src;return im;});});" +
        "var frame=0,timer=null;" +
        "function paint(k,i){var im=images[k][Math.min(i,images[k].length-1)],cv=canvases[k],ctx=cv.getContext('2d');" +
        "var go=function(){if(frame!==i)return;ctx.imageSmoothingEnabled=false;ctx.clearRect(0,0,cv.width,cv.height);ctx.drawImage(im,0,0,cv.width,cv.height);};" +
        "if(im.complete&&im.naturalWidth)go();else im.addEventListener('load',go,{once:true});}" +
        "function draw(i){frame=i;root.setAttribute('data-frame',String(i));slider.value=String(i);counter.textContent=(i+1)+' / '+T;" +
        "for(var k=0;k<images.length;k++)paint(k,i);}" +
        "function delay(){return 1000/Math.max(1,+fps.value||8);}" +
        "function tick(){var next=frame+1;if(next>=T){if(!loop.checked){stop();return;}next=0;}draw(next);timer=setTimeout(tick,delay());}" +
        "function play(){if(timer)return;if(frame>=T-1&&!loop.checked)draw(0);root.setAttribute('data-playing','1');btn.textContent='❚❚ Pause';timer=setTimeout(tick,delay());}" +
        "function stop(){if(timer)clearTimeout(timer);timer=null;root.setAttribute('data-playing','0');btn.textContent='▶ Play';}" +
        "btn.addEventListener('click',function(){if(timer)stop();else play();});" +
        "slider.addEventListener('input',function(){stop();draw(+slider.value);});" +
        "draw(0);if(autoplay)play();";
}
