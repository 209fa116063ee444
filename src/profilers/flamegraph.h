#pragma once
// Flame graphs rendered by benchgate from folded stacks: a self-contained, interactive SVG
// (hover for details, click to zoom, Ctrl-F / "Search" to highlight frames by regex; a small
// inline script, no external resources), and the differential variant that colours each frame
// by how its own samples changed between two profiles (red grew, blue shrank), as Brendan
// Gregg's difffolded.pl + flamegraph.pl do — but per request served when the request counts are
// known, and only where the change is beyond sampling noise.
//
// Output is deterministic: frames are ordered by name at each level and colours derive from a
// hash of the frame name, so the same profile always renders to the same bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "profilers/perf_parse.h"

namespace benchgate::profilers {

struct FlameGraphOptions {
  std::string title = "Flame Graph";
  std::string subtitle;  ///< e.g. "cpu-clock, 2990 samples"; empty: none
  std::string count_name = "samples";
  int width = 1200;                ///< px
  int frame_height = 16;           ///< px
  int font_size = 12;              ///< px
  double min_width = 0.1;          ///< px; narrower frames are left out
  bool inverted = false;           ///< icicle graph (root at the top)
  std::vector<std::string> notes;  ///< lines under the subtitle (the differential legend)
};

/// Renders folded stacks (counts > 0) as an SVG document. An empty profile renders a valid SVG
/// that says so.
std::string render_flamegraph(const FoldedStacks& stacks, const FlameGraphOptions& options = {});

struct DiffFlameGraphOptions {
  FlameGraphOptions graph;
  /// Requests each profile served while it was recorded. When both are > 0 the profiles are
  /// compared per request: each frame's samples per 1,000 requests, so a function that costs
  /// more per request grows even when a CPU-saturated server's shares hardly move.
  double requests_before = 0;
  double requests_after = 0;
  /// Without request counts: compare shares of each profile's samples (per 1,000 samples);
  /// false compares raw sample counts.
  bool normalize = true;
  /// Draw the "before" profile's shape instead of the "after" one (shows what disappeared).
  bool negate = false;
  /// Family-wise error rate of the per-frame noise tests (Holm over the frames with self
  /// samples that can reach it: stats::tarone_holm_adjust).
  double noise_alpha = 0.05;
};

/// The noise test of one frame's self samples (see render_diff_flamegraph).
struct FrameChange {
  double before = 0;  ///< samples per unit (1,000 requests, 1,000 samples, or 1)
  double after = 0;
  double p_value = 1;  ///< exact conditional test of equal rates, two-sided, unadjusted
};

/// a samples over exposure_a (requests, or samples of the whole profile) against b over
/// exposure_b: both rates scaled to `per` units of exposure, and stats::poisson_rates_test.
FrameChange compare_frame(std::int64_t after, double exposure_after, std::int64_t before,
                          double exposure_before, double per = 1000);

/// Frames are sized by `after` (or `before` when negated, scaled to after's exposure) and
/// coloured by the change of their self samples per exposure (1,000 requests when both request
/// counts are given, else 1,000 samples of each profile): red = more in `after`, blue = fewer,
/// grey = within sampling noise. A frame is coloured only when the exact conditional test of
/// two Poisson counts (stats::poisson_rates_test on its self samples a, b and the exposures)
/// rejects equal rates after Holm's adjustment over the frames that can speak (Tarone's rule),
/// at
/// `noise_alpha`; the colour's depth grows with the change per exposure. The tooltip gives both
/// sides' self and total per exposure, the raw samples, the p-value and the noise verdict; the
/// legend (added to graph.notes) states the rule and the noise level of the hottest frame.
std::string render_diff_flamegraph(const FoldedStacks& before, const FoldedStacks& after,
                                   const DiffFlameGraphOptions& options = {});

/// The fill colour of a frame: a "hot" palette (red-yellow) for user code, orange for "_[k]"
/// kernel frames, green for "_[j]" JIT frames, grey for "[unknown]"; varies by name hash.
std::string frame_colour(std::string_view name);

}  // namespace benchgate::profilers
