#pragma once
// Flame graphs rendered by benchgate from folded stacks: a self-contained, interactive SVG
// (hover for details, click to zoom, Ctrl-F / "Search" to highlight frames by regex; a small
// inline script, no external resources), and the differential variant that colours each frame
// by how its own samples changed between two profiles (red grew, blue shrank), as Brendan
// Gregg's difffolded.pl + flamegraph.pl do.
//
// Output is deterministic: frames are ordered by name at each level and colours derive from a
// hash of the frame name, so the same profile always renders to the same bytes.

#include <cstdint>
#include <string>
#include <string_view>

#include "profilers/perf_parse.h"

namespace benchgate::profilers {

struct FlameGraphOptions {
  std::string title = "Flame Graph";
  std::string subtitle;  ///< e.g. "cpu-clock, 2990 samples"; empty: none
  std::string count_name = "samples";
  int width = 1200;        ///< px
  int frame_height = 16;   ///< px
  int font_size = 12;      ///< px
  double min_width = 0.1;  ///< px; narrower frames are left out
  bool inverted = false;   ///< icicle graph (root at the top)
};

/// Renders folded stacks (counts > 0) as an SVG document. An empty profile renders a valid SVG
/// that says so.
std::string render_flamegraph(const FoldedStacks& stacks, const FlameGraphOptions& options = {});

struct DiffFlameGraphOptions {
  FlameGraphOptions graph;
  /// Scale the "before" counts so both profiles have the same total (compare shares, not
  /// absolute sample counts that depend on run length).
  bool normalize = true;
  /// Draw the "before" profile's shape instead of the "after" one (shows what disappeared).
  bool negate = false;
};

/// Frames are sized by `after` (or `before` when negated) and coloured by the change of their
/// self count: red = more samples in `after`, blue = fewer, white = unchanged. The tooltip
/// gives both counts and the change of the frame's total.
std::string render_diff_flamegraph(const FoldedStacks& before, const FoldedStacks& after,
                                   const DiffFlameGraphOptions& options = {});

/// Escapes text for XML content and attribute values: & < > " ', control characters other than
/// tab/newline become '?', and invalid UTF-8 bytes become U+FFFD.
std::string xml_escape(std::string_view text);

/// The fill colour of a frame: a "hot" palette (red-yellow) for user code, orange for "_[k]"
/// kernel frames, green for "_[j]" JIT frames, grey for "[unknown]"; varies by name hash.
std::string frame_colour(std::string_view name);

}  // namespace benchgate::profilers
