#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/text.h"

namespace benchgate::report::svg {

namespace {

constexpr double kCharWidth = 6.8;  // average glyph width of the 12px sans-serif labels

std::string esc(std::string_view s) {
  return html_escape(s);
}
// Pixel coordinates: one decimal, without a trailing ".0" (most of a chart's bytes are these).
std::string num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

double text_width(std::string_view s) {
  return static_cast<double>(display_width(s)) * kCharWidth;
}

bool usable(double v, bool log) {
  return std::isfinite(v) && (!log || v > 0);
}

/// Maps data values to pixels along one axis.
struct Scale {
  double lo = 0, hi = 1;  // data range (log10 values when log)
  double p0 = 0, p1 = 1;  // pixel range
  bool log = false;
  double operator()(double v) const {
    const double t = log ? std::log10(v) : v;
    if (hi == lo) return (p0 + p1) / 2;
    return p0 + (t - lo) / (hi - lo) * (p1 - p0);
  }
};

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return !(lo <= hi); }
};

/// Keeps long series readable and the file small: per bucket, the min and max point.
std::vector<Point> decimate(const std::vector<Point>& pts, std::size_t max_points) {
  if (pts.size() <= max_points) return pts;
  const std::size_t buckets = max_points / 2;
  const std::size_t per = (pts.size() + buckets - 1) / buckets;
  std::vector<Point> out;
  for (std::size_t b = 0; b < pts.size(); b += per) {
    const std::size_t e = std::min(pts.size(), b + per);
    std::size_t lo = b, hi = b;
    for (std::size_t i = b; i < e; ++i) {
      if (!std::isfinite(pts[i].y)) {
        out.push_back(pts[i]);  // keep gaps
        continue;
      }
      if (!std::isfinite(pts[lo].y) || pts[i].y < pts[lo].y) lo = i;
      if (!std::isfinite(pts[hi].y) || pts[i].y > pts[hi].y) hi = i;
    }
    if (std::isfinite(pts[lo].y)) out.push_back(pts[std::min(lo, hi)]);
    if (hi != lo && std::isfinite(pts[hi].y)) out.push_back(pts[std::max(lo, hi)]);
  }
  return out;
}

struct LegendItem {
  std::string text;
  std::string color;
  bool dashed = false;
};

std::vector<LegendItem> legend_items(const std::vector<Series>& series) {
  std::vector<LegendItem> items;
  for (const auto& s : series) {
    if (s.legend.empty()) continue;
    bool seen = false;
    for (const auto& i : items)
      seen = seen || i.text == s.legend;
    if (!seen) items.push_back({s.legend, s.color, s.dashed});
  }
  return items;
}

}  // namespace

std::string compact(double v) {
  if (!std::isfinite(v)) return "";
  const double a = std::fabs(v);
  auto trim = [](std::string s) {
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0')
        s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  };
  if (a >= 1e9) return trim(fmt::format("{:.2f}", v / 1e9)) + "G";
  if (a >= 1e6) return trim(fmt::format("{:.2f}", v / 1e6)) + "M";
  if (a >= 1e4) return trim(fmt::format("{:.1f}", v / 1e3)) + "k";
  if (a >= 100 || a == 0) return fmt::format("{:.0f}", v);
  if (a >= 1) return trim(fmt::format("{:.2f}", v));
  return trim(fmt::format("{:.3g}", v));
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> out;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return out;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (double t = first; t <= hi + step * 1e-9; t += step) {
    out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
    if (out.size() > 50) break;
  }
  return out;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> out;
  if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
  const int d0 = static_cast<int>(std::floor(std::log10(lo)));
  const int d1 = static_cast<int>(std::ceil(std::log10(hi)));
  const bool fine = d1 - d0 <= 3;  // up to three decades: 1, 2, 5 in each
  for (int d = d0; d <= d1; ++d) {
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && !fine) continue;
      const double v = m * std::pow(10.0, d);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push_back(v);
    }
  }
  return out;
}

namespace {

using Ticks = std::vector<std::pair<double, std::string>>;

// The axis' ticks (explicit ones as given); the range is widened to the outer ticks when
// `widen`, so the plot ends on a labelled value, and opened up when it is a single value.
Ticks axis_ticks(const Axis& a, Range& r, bool widen) {
  Ticks ticks = a.ticks;
  auto f = a.format ? a.format : compact;
  if (!ticks.empty()) return ticks;
  if (a.log) {
    if (r.lo == r.hi) {
      r.lo /= 2;
      r.hi *= 2;
    }
    if (widen) {
      r.lo = std::pow(10.0, std::floor(std::log10(r.lo) * 4) / 4);
      r.hi = std::pow(10.0, std::ceil(std::log10(r.hi) * 4) / 4);
    }
    for (double t : log_ticks(r.lo, r.hi))
      ticks.emplace_back(t, f(t));
    if (ticks.size() < 2) {
      ticks.clear();
      ticks.emplace_back(r.lo, f(r.lo));
      ticks.emplace_back(r.hi, f(r.hi));
    }
    return ticks;
  }
  if (r.lo == r.hi) {
    const double d = r.lo == 0 ? 1 : std::fabs(r.lo) * 0.1;
    r.lo -= d;
    r.hi += d;
  }
  auto t = nice_ticks(r.lo, r.hi, 5);
  if (widen && t.size() >= 2) {
    const double step = t[1] - t[0];
    if (t.front() > r.lo + step * 1e-9) t.insert(t.begin(), t.front() - step);
    if (t.back() < r.hi - step * 1e-9) t.push_back(t.back() + step);
    r.lo = t.front();
    r.hi = t.back();
  }
  for (double v : t)
    ticks.emplace_back(v, f(v));
  return ticks;
}

// The plot area in pixels and the scales that map data into it.
struct PlotArea {
  double left = 0, top = 0, pw = 0, ph = 0;
  Scale sx, sy;
};

// Legend entries in rows from `left`, wrapping before `right_edge`; `bottom` receives the
// baseline of the last row.
std::string legend_svg(const std::vector<LegendItem>& items, double left, double right_edge,
                       double& bottom) {
  double lx = left, ly = 16;
  std::string legend;
  for (const auto& it : items) {
    const std::string text = shorten(it.text, 40);
    const double w = 22 + text_width(text) + 14;
    if (lx + w > right_edge && lx > left) {
      lx = left;
      ly += 18;
    }
    legend += fmt::format(
        "<g class=\"legend-item\" data-group=\"{0}\" tabindex=\"0\" role=\"button\" "
        "aria-pressed=\"true\"><title>{0}: click to hide or show</title><line x1=\"{1}\" "
        "y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"{4}\" stroke-width=\"3\"{5}/><text x=\"{6}\" "
        "y=\"{7}\">{8}</text></g>\n",
        esc(it.text), num(lx), num(ly - 4), num(lx + 16), esc(it.color),
        it.dashed ? " stroke-dasharray=\"4 3\"" : "", num(lx + 21), num(ly), esc(text));
    lx += w;
  }
  bottom = ly;
  return legend;
}

// Grid lines, both axes with their ticks and labels.
std::string grid_and_axes(const LineChart& c, const PlotArea& a, const Ticks& xticks,
                          const Ticks& yticks) {
  const bool xlog = c.x.log, ylog = c.y.log;
  const double left = a.left, top = a.top, pw = a.pw, ph = a.ph;
  // Grid lines and tick marks as one path each: most of a small chart's bytes were <line>s.
  std::string grid, marks;
  for (const auto& [v, l] : yticks) {
    if (!usable(v, ylog)) continue;
    grid += fmt::format("M{} {}H{}", num(left), num(a.sy(v)), num(left + pw));
    marks += fmt::format("M{} {}h4", num(left - 4), num(a.sy(v)));
  }
  for (const auto& [v, l] : xticks) {
    if (!usable(v, xlog)) continue;
    grid += fmt::format("M{} {}V{}", num(a.sx(v)), num(top), num(top + ph));
    marks += fmt::format("M{} {}v4", num(a.sx(v)), num(top + ph));
  }
  std::string out = "<g class=\"grid\"><path d=\"" + grid + "\"/></g>\n<g class=\"axis\">";
  out += fmt::format("<path d=\"M{0} {1}V{2}H{3}{4}\"/>\n", num(left), num(top), num(top + ph),
                     num(left + pw), marks);
  for (const auto& [v, l] : yticks) {
    if (!usable(v, ylog)) continue;
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", num(left - 7),
                       num(a.sy(v) + 4), esc(l));
  }
  out += '\n';
  for (const auto& [v, l] : xticks) {
    if (!usable(v, xlog)) continue;
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", num(a.sx(v)),
                       num(top + ph + 17), esc(l));
  }
  out += '\n';
  out +=
      fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                  num(left + pw / 2), num(c.height - 8), esc(c.x.label));
  out += fmt::format(
      "<text class=\"axis-label\" transform=\"translate(14 {}) rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>\n",
      num(top + ph / 2), esc(c.y.label));
  out += "</g>\n";
  return out;
}

// One series: polylines split at unusable points (a lone point drawn as a dot), then its
// markers with tooltips.
std::string series_svg(const LineChart& c, const Series& s, const PlotArea& a) {
  const bool xlog = c.x.log, ylog = c.y.log;
  auto xfmt = c.x.format ? c.x.format : compact;
  auto yfmt = c.y.format ? c.y.format : compact;
  const auto pts = decimate(s.points, 1500);
  std::string out = fmt::format("<g class=\"series\" data-group=\"{}\">", esc(s.legend));
  if (!s.tooltip.empty()) out += fmt::format("<title>{}</title>", esc(s.tooltip));
  if (!s.band.empty() && s.band.size() == s.points.size()) {
    // The band as one polygon: the high edge left to right, the low edge back.
    std::string upper, lower;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const auto& p = s.points[i];
      const auto& [lo, hi] = s.band[i];
      if (!usable(p.x, xlog) || !usable(lo, ylog) || !usable(hi, ylog)) continue;
      upper += num(a.sx(p.x)) + "," + num(a.sy(hi)) + " ";
      lower = num(a.sx(p.x)) + "," + num(a.sy(lo)) + " " + lower;
      ++n;
    }
    if (n >= 2) {
      out += fmt::format("<polygon class=\"range\" fill=\"{}\" points=\"{}{}\"/>", esc(s.color),
                         upper, lower.substr(0, lower.size() - 1));
    }
  }
  std::string seg;
  std::size_t seg_points = 0;
  auto flush = [&]() {
    if (seg_points >= 2) {
      out += fmt::format(
          "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-opacity=\"{}\"{} "
          "points=\"{}\"/>",
          esc(s.color), num(s.width), fmt::format("{:.2f}", s.opacity),
          s.dashed ? " stroke-dasharray=\"5 3\"" : "", seg);
    } else if (seg_points == 1) {
      out += fmt::format(
          "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" "
          "stroke-linecap=\"round\" points=\"{} {}\"/>",
          esc(s.color), num(s.width * 2), seg, seg);
    }
    seg.clear();
    seg_points = 0;
  };
  for (const auto& p : pts) {
    if (!usable(p.x, xlog) || !usable(p.y, ylog)) {
      flush();
      continue;
    }
    if (!seg.empty()) seg += ' ';
    seg += num(a.sx(p.x)) + "," + num(a.sy(p.y));
    ++seg_points;
  }
  flush();
  if (s.markers) {
    const bool own_titles =
        s.point_titles.size() == s.points.size() && pts.size() == s.points.size();
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const auto& p = pts[i];
      if (!usable(p.x, xlog) || !usable(p.y, ylog)) continue;
      const std::string title =
          own_titles ? s.point_titles[i]
                     : fmt::format("{}: {}, {}", s.tooltip.empty() ? s.legend : s.tooltip,
                                   xfmt(p.x), yfmt(p.y));
      out += fmt::format(
          "<circle class=\"pt\" cx=\"{}\" cy=\"{}\" r=\"{}\" "
          "fill=\"{}\"><title>{}</title></circle>",
          num(a.sx(p.x)), num(a.sy(p.y)), own_titles ? "3.5" : "2.6", esc(s.color), esc(title));
    }
  }
  for (std::size_t i : s.rings) {
    if (i >= s.points.size()) continue;
    const auto& p = s.points[i];
    if (!usable(p.x, xlog) || !usable(p.y, ylog)) continue;
    out += fmt::format("<circle class=\"ring\" cx=\"{}\" cy=\"{}\" r=\"7\"/>", num(a.sx(p.x)),
                       num(a.sy(p.y)));
  }
  out += "</g>\n";
  return out;
}

}  // namespace

std::string line_chart(const LineChart& c) {
  const bool xlog = c.x.log, ylog = c.y.log;
  // Data ranges.
  Range xr, yr;
  std::size_t points = 0;
  for (const auto& s : c.series) {
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const auto& p = s.points[i];
      if (!usable(p.x, xlog) || !usable(p.y, ylog)) continue;
      xr.add(p.x);
      yr.add(p.y);
      ++points;
      if (s.band.size() == s.points.size()) {
        for (double v : {s.band[i].first, s.band[i].second}) {
          if (usable(v, ylog)) yr.add(v);
        }
      }
    }
  }
  const double W = c.width, H = c.height;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{0}\" viewBox=\"0 0 {1} "
      "{2}\" width=\"{1}\" height=\"{2}\" role=\"img\" aria-labelledby=\"{0}-t {0}-d\" "
      "data-points=\"{3}\">\n<title id=\"{0}-t\">{4}</title>\n<desc id=\"{0}-d\">{5}</desc>\n",
      esc(c.id), c.width, c.height, points, esc(c.title), esc(c.description));
  if (points == 0) {
    out += fmt::format(
        "<rect class=\"frame\" x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\"/>\n<text "
        "class=\"nodata\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text>\n</svg>\n",
        W - 1, H - 1, num(W / 2), num(H / 2));
    return out;
  }
  if (c.x.min) xr.lo = *c.x.min;
  if (c.x.max) xr.hi = *c.x.max;
  if (c.y.min) yr.lo = *c.y.min;
  if (c.y.max) yr.hi = *c.y.max;
  if (c.y.include_zero && !ylog) {
    yr.lo = std::min(yr.lo, 0.0);
    yr.hi = std::max(yr.hi, 0.0);
  }
  const auto xticks = axis_ticks(c.x, xr, false);
  const auto yticks = axis_ticks(c.y, yr, !c.y.max);

  // Layout: legend rows on top, y tick labels on the left.
  const auto items = legend_items(c.series);
  double max_label = 0;
  for (const auto& [v, l] : yticks)
    max_label = std::max(max_label, text_width(l));
  PlotArea a;
  a.left = std::max(48.0, 26 + max_label + 8);
  // Room on the right for half of the last x tick label, which is centred on the plot's edge.
  const double right =
      std::max(18.0, xticks.empty() ? 0.0 : text_width(xticks.back().second) / 2 + 6);
  double legend_bottom = 16;
  const std::string legend = legend_svg(items, a.left, W - right, legend_bottom);
  a.top = items.empty() ? 14 : legend_bottom + 14;
  const double bottom = 46;
  a.pw = W - a.left - right;
  a.ph = H - a.top - bottom;
  a.sx = Scale{xlog ? std::log10(xr.lo) : xr.lo, xlog ? std::log10(xr.hi) : xr.hi, a.left,
               a.left + a.pw, xlog};
  a.sy = Scale{ylog ? std::log10(yr.lo) : yr.lo, ylog ? std::log10(yr.hi) : yr.hi, a.top + a.ph,
               a.top, ylog};

  out += fmt::format(
      "<defs><clipPath id=\"{}-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" "
      "height=\"{}\"/></clipPath></defs>\n",
      // Wider than the plot by a marker's radius and more, so markers on its edges show whole.
      esc(c.id), num(a.left - 8), num(a.top - 8), num(a.pw + 16), num(a.ph + 16));
  if (!legend.empty()) out += "<g class=\"legend\">\n" + legend + "</g>\n";
  out += grid_and_axes(c, a, xticks, yticks);
  out += fmt::format("<g class=\"plot\" clip-path=\"url(#{}-clip)\">\n", esc(c.id));
  for (const auto& s : c.series)
    out += series_svg(c, s, a);
  out += "</g>\n</svg>\n";
  return out;
}

namespace {

// Where a forest plot's rows go: row height, the plot's top, width, left edge and width of
// the plotted band, its data range and scale.
struct ForestGeometry {
  double row_h, top, W, left, pw, lo, hi;
  Scale sx;
};

// One row of a forest plot: stripe, ± limit band and worse region, labels, the estimate with
// its CI (or "no estimate"), and the value text.
std::string forest_row(const ForestPlot& f, std::size_t i, const ForestGeometry& g) {
  const auto& r = f.rows[i];
  const double row_h = g.row_h, top = g.top, W = g.W, left = g.left, pw = g.pw, lo = g.lo,
               hi = g.hi;
  const Scale& sx = g.sx;
  auto clampx = [&](double v) { return std::clamp(v, lo, hi); };
  std::string out;
  const double y = top + row_h * static_cast<double>(i) + row_h / 2;
  out += "<g class=\"row\">";
  if (!r.tooltip.empty()) out += fmt::format("<title>{}</title>", esc(r.tooltip));
  if (i % 2 == 1) {
    out += fmt::format("<rect class=\"stripe\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                       num(y - row_h / 2), num(W), num(row_h));
  }
  const double lim = std::fabs(r.limit);
  if (lim > 0) {
    const double a = sx(clampx(-lim)), b = sx(clampx(lim));
    out += fmt::format("<rect class=\"band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                       num(a), num(y - 9), num(b - a), num(18));
    const double w0 = r.worse_sign > 0 ? b : sx(lo);
    const double w1 = r.worse_sign > 0 ? sx(hi) : a;
    out += fmt::format("<rect class=\"worse\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                       num(w0), num(y - 9), num(std::max(0.0, w1 - w0)), num(18));
  }
  out += fmt::format("<text class=\"label\" x=\"8\" y=\"{}\">{}</text>", num(y - 1),
                     esc(shorten(r.label, 26)));
  if (!r.sublabel.empty()) {
    out += fmt::format("<text class=\"sublabel\" x=\"8\" y=\"{}\">{}</text>", num(y + 11),
                       esc(shorten(r.sublabel, 30)));
  }
  if (r.has_estimate && std::isfinite(r.estimate)) {
    const double l = sx(clampx(std::isfinite(r.low) ? r.low : r.estimate));
    const double h = sx(clampx(std::isfinite(r.high) ? r.high : r.estimate));
    out += fmt::format(
        "<line class=\"ci\" x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"{3}\"/>"
        "<line class=\"cap\" x1=\"{0}\" y1=\"{4}\" x2=\"{0}\" y2=\"{5}\" stroke=\"{3}\"/>"
        "<line class=\"cap\" x1=\"{1}\" y1=\"{4}\" x2=\"{1}\" y2=\"{5}\" stroke=\"{3}\"/>",
        num(l), num(h), num(y), esc(r.color), num(y - 5), num(y + 5));
    out += fmt::format("<circle class=\"est pt\" cx=\"{}\" cy=\"{}\" r=\"4.5\" fill=\"{}\"/>",
                       num(sx(clampx(r.estimate))), num(y), esc(r.color));
  } else {
    out += fmt::format(
        "<text class=\"nodata\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no "
        "estimate</text>",
        num(left + pw / 2), num(y + 4));
  }
  out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>", num(left + pw + 10),
                     num(y + 4), esc(r.value_text));
  out += "</g>\n";
  return out;
}

}  // namespace

std::string forest_plot(const ForestPlot& f) {
  auto xfmt = f.format ? f.format : compact;
  const double label_w = 190, value_w = 200, right = 12;
  const double row_h = 30, top = 40, bottom = 44;
  const double W = f.width;
  const double H =
      top + row_h * static_cast<double>(std::max<std::size_t>(f.rows.size(), 1)) + bottom;
  const double left = label_w, pw = W - label_w - value_w - right;

  // Range: every interval and band, and 0; capped so one wild estimate cannot flatten the rest.
  double max_limit = 0;
  for (const auto& r : f.rows)
    max_limit = std::max(max_limit, std::fabs(r.limit));
  double extent = max_limit;
  std::size_t points = 0;
  for (const auto& r : f.rows) {
    if (!r.has_estimate) continue;
    ++points;
    for (double v : {r.estimate, r.low, r.high}) {
      if (std::isfinite(v)) extent = std::max(extent, std::fabs(v));
    }
  }
  if (max_limit > 0) extent = std::min(extent, 8 * max_limit);
  if (!(extent > 0)) extent = 1;
  extent *= 1.1;
  auto ticks = nice_ticks(-extent, extent, 6);
  if (ticks.size() >= 2) {
    const double step = ticks[1] - ticks[0];
    if (ticks.front() > -extent) ticks.insert(ticks.begin(), ticks.front() - step);
    if (ticks.back() < extent) ticks.push_back(ticks.back() + step);
  }
  const double lo = ticks.empty() ? -extent : ticks.front();
  const double hi = ticks.empty() ? extent : ticks.back();
  Scale sx{lo, hi, left, left + pw, false};

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart forest\" id=\"{0}\" viewBox=\"0 0 "
      "{1} {2}\" width=\"{1}\" height=\"{2}\" role=\"img\" aria-labelledby=\"{0}-t {0}-d\" "
      "data-points=\"{3}\">\n<title id=\"{0}-t\">{4}</title>\n<desc id=\"{0}-d\">{5}</desc>\n",
      esc(f.id), W, num(H), points, esc(f.title), esc(f.description));
  // Key.
  out += fmt::format(
      "<g class=\"legend static\"><rect x=\"{0}\" y=\"8\" width=\"14\" height=\"10\" "
      "class=\"band\"/><text x=\"{1}\" y=\"17\">within ± limit</text><rect x=\"{2}\" y=\"8\" "
      "width=\"14\" height=\"10\" class=\"worse\"/><text x=\"{3}\" y=\"17\">worse than the "
      "limit</text><line x1=\"{4}\" y1=\"13\" x2=\"{5}\" y2=\"13\" class=\"ci\"/><circle "
      "cx=\"{6}\" "
      "cy=\"13\" r=\"4\" class=\"est\"/><text x=\"{7}\" y=\"17\">estimate and CI</text></g>\n",
      num(left), num(left + 19), num(left + 120), num(left + 139), num(left + 270), num(left + 296),
      num(left + 283), num(left + 302));

  std::string grid;
  for (double t : ticks)
    grid += fmt::format("M{} {}V{}", num(sx(t)), num(top - 6), num(H - bottom));
  out += "<g class=\"grid\"><path d=\"" + grid + "\"/></g>\n";
  const ForestGeometry geometry{row_h, top, W, left, pw, lo, hi, sx};
  for (std::size_t i = 0; i < f.rows.size(); ++i)
    out += forest_row(f, i, geometry);
  // Zero line, axis and ticks.
  out += fmt::format(
      "<g class=\"axis\"><line class=\"zero\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>"
      "<line x1=\"{3}\" y1=\"{2}\" x2=\"{4}\" y2=\"{2}\"/>\n",
      num(sx(0)), num(top - 6), num(H - bottom), num(left), num(left + pw));
  std::string marks;
  for (double t : ticks)
    marks += fmt::format("M{} {}v4", num(sx(t)), num(H - bottom));
  out += "<path d=\"" + marks + "\"/>";
  for (double t : ticks) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", num(sx(t)),
                       num(H - bottom + 17), esc(xfmt(t)));
  }
  out += fmt::format(
      "<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>\n",
      num(left + pw / 2), num(H - 8), esc(f.x_label));
  out += "</svg>\n";
  return out;
}

}  // namespace benchgate::report::svg
