#include "profilers/flamegraph.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "core/parse.h"
#include "core/pvalue.h"
#include "core/text.h"
#include "stats/binomial.h"
#include "stats/holm.h"
#include "stats/normal.h"

namespace benchgate::profilers {
namespace {

struct Node {
  std::string name;
  double total[2] = {0, 0};  ///< samples: [0] before, [1] after; a plain graph uses [1]
  double self[2] = {0, 0};
  // Differential graphs: the noise test of the self samples.
  bool tested = false;    ///< had self samples on either side
  double p_adjusted = 1;  ///< Holm-adjusted over every tested frame
  bool beyond_noise = false;
  std::map<std::string, std::unique_ptr<Node>> children;
};

void add_stack(Node& root, std::string_view stack, double count, int which) {
  Node* n = &root;
  n->total[which] += count;
  std::size_t start = 0;
  while (start <= stack.size()) {
    auto semi = stack.find(';', start);
    auto frame =
        stack.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
    start = semi == std::string_view::npos ? stack.size() + 1 : semi + 1;
    if (frame.empty()) continue;
    auto& child = n->children[std::string(frame)];
    if (!child) {
      child = std::make_unique<Node>();
      child->name = std::string(frame);
    }
    n = child.get();
    n->total[which] += count;
  }
  n->self[which] += count;
}

int max_depth(const Node& n, int depth, double scale, double min_width, int which) {
  int d = depth;
  for (const auto& [k, c] : n.children) {
    if (c->total[which] * scale < min_width) continue;
    d = std::max(d, max_depth(*c, depth + 1, scale, min_width, which));
  }
  return d;
}

// A rate per 1,000 requests (or samples): 3-4 significant digits.
std::string rate_text(double v) {
  const double a = std::abs(v);
  if (a >= 100) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3f}", v);
}

std::string change_text(double after, double before) {
  if (before > 0) return fmt::format("{:+.1f} %", 100.0 * (after / before - 1));
  return after > 0 ? "new" : "±0 %";
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string percent(double part, double whole) {
  return whole > 0 ? fmt::format("{:.2f}%", 100.0 * part / whole) : "0%";
}

std::string count_text(double v) {
  // Counts are integers unless normalised; keep one decimal then.
  if (std::abs(v - std::round(v)) < 1e-9) {
    auto s = fmt::format("{}", static_cast<long long>(std::llround(v)));
    // thousands separators
    std::string out;
    int n = 0;
    for (auto it = s.rbegin(); it != s.rend(); ++it) {
      if (n && n % 3 == 0 && *it != '-') out += ',';
      out += *it;
      ++n;
    }
    return {out.rbegin(), out.rend()};
  }
  return fmt::format("{:.1f}", v);
}

std::string fit_text(const std::string& name, double width_px, int font_size) {
  const auto n = static_cast<long>(std::floor((width_px - 6) / (font_size * 0.59)));
  if (n < 3) return {};
  if (static_cast<long>(name.size()) <= n) return name;
  // Cut on a UTF-8 boundary.
  std::size_t cut = static_cast<std::size_t>(n - 2);
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80)
    --cut;
  return name.substr(0, cut) + "..";
}

/// The viewer: hover details, click to zoom, search by regex. Frames carry their position in
/// count units (data-s start, data-c width, data-d depth) so zooming is pure arithmetic.
constexpr std::string_view kScript = R"JS(
"use strict";
var svg, frames, details, unzoombtn, searchbtn, matchedtxt, total, width, fontsize;
var xpad = 10, zoomed = null, searching = null;
function init(evt) {
  svg = document.documentElement;
  frames = document.getElementById("frames");
  details = document.getElementById("details").firstChild;
  unzoombtn = document.getElementById("unzoom");
  searchbtn = document.getElementById("search");
  matchedtxt = document.getElementById("matched").firstChild;
  total = +svg.getAttribute("data-total");
  width = +svg.getAttribute("width");
  fontsize = +svg.getAttribute("data-fontsize");
  frames.addEventListener("mouseover", function (e) {
    var g = frame_of(e.target);
    if (g) details.nodeValue = g.querySelector("title").textContent;
  });
  frames.addEventListener("mouseout", function (e) {
    if (frame_of(e.target)) details.nodeValue = " ";
  });
  frames.addEventListener("click", function (e) {
    var g = frame_of(e.target);
    if (g) zoom(g);
  });
  unzoombtn.addEventListener("click", unzoom);
  searchbtn.addEventListener("click", search_prompt);
  window.addEventListener("keydown", function (e) {
    if (e.keyCode === 114 || ((e.ctrlKey || e.metaKey) && e.keyCode === 70)) {
      e.preventDefault();
      search_prompt();
    } else if (e.key === "Escape") {
      reset_search();
    }
  });
}
function frame_of(t) {
  while (t && t !== frames) {
    if (t.parentNode === frames) return t;
    t = t.parentNode;
  }
  return null;
}
function info(g) {
  var r = g.querySelector("rect");
  return { s: +r.getAttribute("data-s"), c: +r.getAttribute("data-c"), d: +r.getAttribute("data-d") };
}
function name_of(g) {
  var t = g.querySelector("title").textContent, i = t.lastIndexOf(" (");
  return i < 0 ? t : t.substring(0, i);
}
function fit(t, name, w) {
  var n = Math.floor((w - 6) / (fontsize * 0.59));
  t.textContent = n < 3 ? "" : name.length <= n ? name : name.substring(0, n - 2) + "..";
}
function place(g, x, w) {
  var r = g.querySelector("rect"), t = g.querySelector("text");
  r.setAttribute("x", x.toFixed(2));
  r.setAttribute("width", Math.max(w, 0).toFixed(2));
  if (t) {
    t.setAttribute("x", (x + 3).toFixed(2));
    fit(t, name_of(g), w);
  }
}
function zoom(g) {
  var z = info(g), scale = (width - 2 * xpad) / z.c, all = frames.children;
  zoomed = z;
  unzoombtn.classList.remove("hide");
  for (var i = 0; i < all.length; i++) {
    var f = all[i], a = info(f);
    f.classList.remove("parent");
    f.classList.remove("hide");
    if (a.d >= z.d && a.s >= z.s && a.s + a.c <= z.s + z.c) {
      place(f, xpad + (a.s - z.s) * scale, a.c * scale);
    } else if (a.d < z.d && a.s <= z.s && a.s + a.c >= z.s + z.c) {
      f.classList.add("parent");
      place(f, xpad, width - 2 * xpad);
    } else {
      f.classList.add("hide");
    }
  }
  if (searching !== null) search(searching);
}
function unzoom() {
  var scale = (width - 2 * xpad) / total, all = frames.children;
  zoomed = null;
  unzoombtn.classList.add("hide");
  for (var i = 0; i < all.length; i++) {
    var f = all[i], a = info(f);
    f.classList.remove("parent");
    f.classList.remove("hide");
    place(f, xpad + a.s * scale, a.c * scale);
  }
  if (searching !== null) search(searching);
}
function search_prompt() {
  if (searching !== null) {
    reset_search();
    return;
  }
  var term = prompt("Search frames (regular expression):", "");
  if (term) search(term);
}
function search(term) {
  var re;
  try {
    re = new RegExp(term);
  } catch (e) {
    alert("Not a valid regular expression: " + e.message);
    return;
  }
  searching = term;
  searchbtn.firstChild.nodeValue = "Reset Search";
  var all = frames.children, ranges = [];
  for (var i = 0; i < all.length; i++) {
    var f = all[i], r = f.querySelector("rect");
    if (!r.hasAttribute("data-fill")) r.setAttribute("data-fill", r.getAttribute("fill"));
    if (re.test(name_of(f))) {
      r.setAttribute("fill", "rgb(230,0,230)");
      if (!f.classList.contains("hide") && !f.classList.contains("parent")) {
        var a = info(f);
        ranges.push([a.s, a.s + a.c]);
      }
    } else {
      r.setAttribute("fill", r.getAttribute("data-fill"));
    }
  }
  ranges.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; });
  var sum = 0, end = -Infinity;
  for (var j = 0; j < ranges.length; j++) {
    var lo = Math.max(ranges[j][0], end);
    if (ranges[j][1] > lo) sum += ranges[j][1] - lo;
    end = Math.max(end, ranges[j][1]);
  }
  var denom = zoomed ? zoomed.c : total;
  matchedtxt.nodeValue = "Matched: " + (denom > 0 ? (100 * sum / denom).toFixed(1) : "0") + "%";
}
function reset_search() {
  var all = frames.children;
  for (var i = 0; i < all.length; i++) {
    var r = all[i].querySelector("rect");
    if (r.hasAttribute("data-fill")) r.setAttribute("fill", r.getAttribute("data-fill"));
  }
  searching = null;
  searchbtn.firstChild.nodeValue = "Search";
  matchedtxt.nodeValue = " ";
}
)JS";

struct Renderer {
  const FlameGraphOptions& o;
  int which = 1;  ///< which counts give widths
  bool diff = false;
  double unit = 1;   ///< width units per sample of `which` (diff: before scaled to after)
  double total = 0;  ///< width basis (width units)
  // Differential graphs: rate = samples · per / exposure.
  double exposure[2] = {1, 1};  ///< requests (or samples) of [0] before, [1] after
  double per = 1;               ///< 1000: per 1,000 requests (or samples); 1: raw samples
  std::string per_text;         ///< "per 1,000 requests"
  double max_rate_delta = 0;    ///< colour scale: largest |Δ self rate| beyond noise
  double scale = 0;             ///< px per width unit
  int depth_max = 0;
  int height = 0;
  int ypad_top = 0, ypad_bottom = 0;
  int frames = 0;
  std::string out;

  double y_of(int depth) const {
    return o.inverted ? ypad_top + depth * o.frame_height
                      : height - ypad_bottom - (depth + 1) * o.frame_height;
  }

  double rate(double samples, int side) const { return samples * per / exposure[side]; }

  std::string diff_colour(const Node& n) const {
    if (!n.beyond_noise || max_rate_delta <= 0) return "rgb(220,220,220)";  // within noise
    const double d = rate(n.self[1], 1) - rate(n.self[0], 0);
    // Depth 0.3..1 of the largest change beyond noise, so every coloured frame reads as one.
    const double depth = 0.3 + 0.7 * std::min(std::abs(d) / max_rate_delta, 1.0);
    const int fade = static_cast<int>(std::lround(210 * (1 - depth)));
    return d > 0 ? fmt::format("rgb(255,{},{})", fade, fade)
                 : fmt::format("rgb({},{},255)", fade, fade);
  }

  std::string title_of(const Node& n) const {
    if (!diff) {
      return fmt::format("{} ({} {}, {})", n.name, count_text(n.total[1]), o.count_name,
                         percent(n.total[1], total));
    }
    // No " (" after the name's: the viewer takes the name up to the last " (".
    const double sb = rate(n.self[0], 0), sa = rate(n.self[1], 1);
    const double tb = rate(n.total[0], 0), ta = rate(n.total[1], 1);
    std::string verdict;
    if (!n.tested) {
      verdict = "no self samples";
    } else {
      verdict =
          fmt::format("{}, p {} Holm-adjusted", n.beyond_noise ? "beyond noise" : "within noise",
                      p_relation(n.p_adjusted));
    }
    return fmt::format(
        "{} (self {}: before {}, after {}, {}; {}; total {}: before {}, after {}, {}; samples: "
        "before {}, after {})",
        n.name, per_text, rate_text(sb), rate_text(sa), change_text(sa, sb), verdict, per_text,
        rate_text(tb), rate_text(ta), change_text(ta, tb), count_text(n.total[0]),
        count_text(n.total[1]));
  }

  void frame(const Node& n, int depth, double start) {
    const double count = n.total[which] * unit;
    const double w = count * scale;
    if (w < o.min_width) return;
    const double x = 10 + start * scale;
    const double y = y_of(depth);
    const std::string fill = diff ? diff_colour(n) : frame_colour(n.name);
    out += fmt::format(
        "<g><title>{}</title><rect x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{}\" "
        "fill=\"{}\" rx=\"2\" ry=\"2\" data-s=\"{}\" data-c=\"{}\" data-d=\"{}\"/>",
        html_escape(title_of(n)), x, y, w, o.frame_height - 1, fill, start, count, depth);
    out += fmt::format("<text x=\"{:.2f}\" y=\"{:.1f}\">{}</text></g>\n", x + 3,
                       y + o.frame_height / 2.0 + o.font_size * 0.35 - 0.5,
                       html_escape(fit_text(n.name, w, o.font_size)));
    ++frames;
    double s = start;
    for (const auto& [k, c] : n.children) {
      frame(*c, depth + 1, s);
      s += c->total[which] * unit;
    }
  }

  std::string render(const Node& root) {
    const double usable = o.width - 20.0;
    scale = total > 0 ? usable / total : 0;
    depth_max = total > 0 ? max_depth(root, 0, scale * unit, o.min_width, which) : 0;
    const int note_step = o.font_size * 3 / 2;
    ypad_top = o.font_size * 3 + (o.subtitle.empty() ? 0 : o.font_size * 2) +
               static_cast<int>(o.notes.size()) * note_step;
    ypad_bottom = o.font_size * 2 + 10;
    height = (depth_max + 1) * o.frame_height + ypad_top + ypad_bottom;
    const int w = o.width;
    out += "<?xml version=\"1.0\" standalone=\"no\"?>\n";
    out += fmt::format(
        "<svg version=\"1.1\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
        "xmlns=\"http://www.w3.org/2000/svg\" onload=\"init(evt)\" data-total=\"{}\" "
        "data-fontsize=\"{}\">\n",
        w, height, w, height, total, o.font_size);
    out += fmt::format(
        "<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
        "<stop stop-color=\"{}\" offset=\"5%\"/><stop stop-color=\"{}\" offset=\"95%\"/>"
        "</linearGradient></defs>\n",
        diff ? "#eeeeee" : "#eeeeee", diff ? "#e0e0ff" : "#eeeeb0");
    out += fmt::format(
        "<style type=\"text/css\">\n"
        "text {{ font-family: Verdana, Helvetica, sans-serif; font-size: {}px; fill: rgb(0,0,0); "
        "}}\n"
        "#title {{ text-anchor: middle; font-size: {}px; }}\n"
        "#subtitle {{ text-anchor: middle; fill: rgb(96,96,96); }}\n"
        ".note {{ text-anchor: middle; fill: rgb(64,64,64); }}\n"
        "#unzoom, #search {{ cursor: pointer; }}\n"
        "#search, #matched {{ text-anchor: end; }}\n"
        "#frames > g:hover > rect {{ stroke: rgb(0,0,0); stroke-width: 0.5; cursor: pointer; }}\n"
        "#frames > g > text {{ pointer-events: none; }}\n"
        ".hide {{ display: none; }}\n"
        ".parent {{ opacity: 0.5; }}\n"
        "</style>\n",
        o.font_size, o.font_size + 5);
    out += "<script type=\"text/ecmascript\"><![CDATA[";
    out += kScript;
    out += "]]></script>\n";
    out += fmt::format(
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"url(#background)\"/>\n", w,
        height);
    out += fmt::format("<text id=\"title\" x=\"{:.1f}\" y=\"{}\">{}</text>\n", w / 2.0,
                       o.font_size * 2, html_escape(o.title));
    if (!o.subtitle.empty()) {
      out += fmt::format("<text id=\"subtitle\" x=\"{:.1f}\" y=\"{}\">{}</text>\n", w / 2.0,
                         o.font_size * 4, html_escape(o.subtitle));
    }
    int note_y = o.font_size * (o.subtitle.empty() ? 4 : 6);
    for (const auto& note : o.notes) {
      out += fmt::format("<text class=\"note\" x=\"{:.1f}\" y=\"{}\">{}</text>\n", w / 2.0, note_y,
                         html_escape(note));
      note_y += note_step;
    }
    out +=
        fmt::format("<text id=\"details\" x=\"10\" y=\"{}\"> </text>\n", height - o.font_size / 2);
    out += fmt::format("<text id=\"unzoom\" class=\"hide\" x=\"10\" y=\"{}\">Reset Zoom</text>\n",
                       o.font_size * 2);
    out += fmt::format("<text id=\"search\" x=\"{}\" y=\"{}\">Search</text>\n", w - 10,
                       o.font_size * 2);
    out += fmt::format("<text id=\"matched\" x=\"{}\" y=\"{}\"> </text>\n", w - 10,
                       height - o.font_size / 2);
    out += "<g id=\"frames\">\n";
    if (total > 0) {
      frame(root, 0, 0);
    } else {
      out += fmt::format("<text x=\"{:.1f}\" y=\"{}\">(no samples)</text>\n", w / 2.0,
                         ypad_top + o.frame_height);
    }
    out += "</g>\n</svg>\n";
    return out;
  }
};

void collect(Node& n, std::vector<Node*>& out) {
  out.push_back(&n);
  for (auto& [k, c] : n.children)
    collect(*c, out);
}

}  // namespace

std::string frame_colour(std::string_view name) {
  const auto h = fnv1a(name);
  const double v1 = static_cast<double>(h & 0xFFFF) / 65536.0;
  const double v2 = static_cast<double>((h >> 16) & 0xFFFF) / 65536.0;
  const double v3 = static_cast<double>((h >> 32) & 0xFFFF) / 65536.0;
  int r, g, b;
  if (name.ends_with("_[k]")) {  // kernel: orange
    r = 190 + static_cast<int>(65 * v1);
    g = 90 + static_cast<int>(65 * v1);
    b = 0;
  } else if (name.ends_with("_[j]")) {  // JIT: green
    r = 50 + static_cast<int>(60 * v1);
    g = 200 + static_cast<int>(55 * v1);
    b = 50 + static_cast<int>(60 * v1);
  } else if (name == "[unknown]" || name.empty()) {
    r = g = b = 180 + static_cast<int>(40 * v1);
  } else {  // "hot"
    r = 205 + static_cast<int>(50 * v3);
    g = static_cast<int>(230 * v1);
    b = static_cast<int>(55 * v2);
  }
  return fmt::format("rgb({},{},{})", r, g, b);
}

std::string render_flamegraph(const FoldedStacks& stacks, const FlameGraphOptions& options) {
  Node root;
  root.name = "all";
  for (const auto& [stack, n] : stacks) {
    if (n > 0) add_stack(root, stack, static_cast<double>(n), 1);
  }
  Renderer r{options};
  r.total = root.total[1];
  return r.render(root);
}

FrameChange compare_frame(std::int64_t after, double exposure_after, std::int64_t before,
                          double exposure_before, double per) {
  FrameChange c;
  c.after = exposure_after > 0 ? static_cast<double>(after) * per / exposure_after : 0;
  c.before = exposure_before > 0 ? static_cast<double>(before) * per / exposure_before : 0;
  c.p_value = stats::poisson_rates_test(after, exposure_after, before, exposure_before);
  return c;
}

std::string render_diff_flamegraph(const FoldedStacks& before, const FoldedStacks& after,
                                   const DiffFlameGraphOptions& options) {
  Node root;
  root.name = "all";
  for (const auto& [stack, n] : before) {
    if (n > 0) add_stack(root, stack, static_cast<double>(n), 0);
  }
  for (const auto& [stack, n] : after) {
    if (n > 0) add_stack(root, stack, static_cast<double>(n), 1);
  }
  FlameGraphOptions look = options.graph;  // the legend is added to its notes below
  Renderer r{look};
  r.diff = true;
  const bool per_request = options.requests_before > 0 && options.requests_after > 0;
  const bool shares = !per_request && options.normalize && root.total[0] > 0 && root.total[1] > 0;
  if (per_request) {
    r.exposure[0] = options.requests_before;
    r.exposure[1] = options.requests_after;
    r.per = 1000;
    r.per_text = "per 1,000 requests";
  } else if (shares) {
    r.exposure[0] = root.total[0];
    r.exposure[1] = root.total[1];
    r.per = 1000;
    r.per_text = "per 1,000 samples";
  } else {
    r.per_text = "samples";
  }
  r.which = options.negate ? 0 : 1;
  // Widths in "after" samples: the before profile scaled to the after profile's exposure.
  r.unit = r.which == 0 ? r.exposure[1] / r.exposure[0] : 1.0;
  r.total = root.total[r.which] * r.unit;

  // The noise test of every frame with self samples. Holm over the frames that can speak
  // (Tarone's rule): a frame with a handful of samples can never reach α / frames whatever
  // it does, and counting it would only hide real changes of the hot frames.
  std::vector<Node*> nodes;
  collect(root, nodes);
  std::vector<Node*> tested;
  std::vector<double> p, p_min;
  for (Node* n : nodes) {
    if (n->self[0] + n->self[1] <= 0) continue;
    n->tested = true;
    tested.push_back(n);
    const auto a = std::llround(n->self[1]), b = std::llround(n->self[0]);
    p.push_back(compare_frame(a, r.exposure[1], b, r.exposure[0], r.per).p_value);
    p_min.push_back(stats::poisson_rates_min_p(a + b, r.exposure[1], r.exposure[0]));
  }
  const auto adjusted = stats::tarone_holm_adjust(p, p_min, options.noise_alpha);
  const std::size_t family = stats::tarone_family_size(p_min, options.noise_alpha);
  int beyond = 0;
  const Node* hottest = nullptr;
  for (std::size_t i = 0; i < tested.size(); ++i) {
    Node* n = tested[i];
    n->p_adjusted = adjusted[i];
    n->beyond_noise = adjusted[i] < options.noise_alpha;
    if (n->beyond_noise) {
      ++beyond;
      r.max_rate_delta =
          std::max(r.max_rate_delta, std::abs(r.rate(n->self[1], 1) - r.rate(n->self[0], 0)));
    }
    if (!hottest || n->self[0] + n->self[1] > hottest->self[0] + hottest->self[1]) hottest = n;
  }

  // The legend: what the colours mean, and how large a change the noise hides.
  auto& notes = look.notes;
  notes.push_back(fmt::format(
      "red: more self samples{} than before, blue: fewer; grey: within sampling noise "
      "(exact Poisson test per frame, Holm α = {} over the {} of {} frames with "
      "enough samples to reach it (Tarone's rule); {} beyond noise)",
      r.per == 1 ? "" : " " + r.per_text, options.noise_alpha, family, tested.size(), beyond));
  if (hottest) {
    // Normal approximation of the test's threshold at Holm's first step (α / frames): the
    // relative change the hottest frame needs to be coloured.
    const double z = stats::normal_quantile(
        1 - options.noise_alpha / (2.0 * static_cast<double>(std::max<std::size_t>(family, 1))));
    const double nb = hottest->self[0];
    const double na_expected = nb * r.exposure[1] / r.exposure[0];
    const double rel = nb > 0 ? z * std::sqrt(1 / nb + 1 / na_expected) : 0;
    notes.push_back(fmt::format(
        "noise level: the hottest frame, {} ({} samples before), is coloured only beyond about "
        "±{:.1f} %; a frame with 100 samples needs about ±{:.0f} %",
        hottest->name, count_text(nb), 100 * rel,
        100 * z * std::sqrt(1 / 100.0 + r.exposure[0] / (100.0 * r.exposure[1]))));
  }
  return r.render(root);
}

}  // namespace benchgate::profilers
