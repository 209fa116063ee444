#pragma once
// What the load generator sends: the target URL, request templates (one, or a list read from
// a file), their wire form, and a deterministic weighted/round-robin selector.
//
// Request list file format (UTF-8 text, one directive per line):
//
//   # comment (blank lines are ignored too)
//   mode weighted              optional, first: "weighted" (default) or "round-robin"
//   GET /plaintext             a request: METHOD and a path (or an absolute URL with the
//   GET /json weight=3           same scheme, host and port as the driven URL); weight=N
//   POST /items                  (a positive integer, default 1) is used in weighted mode
//   Content-Type: application/json    a header of the request above
//   @body {"name": "x"}        literal body of the request above (\n \r \t \\ escapes)
//   @body-file payload.json    body read from a file (relative to the list file)
//
// Weighted mode interleaves requests smoothly in exact proportion to their weights (nginx's
// smooth weighted round-robin): weights 3 and 1 give A A B A, A A B A, ...

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/url.h"

namespace benchgate::loadgen {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RequestSpec {
  std::string method = "GET";
  std::string target = "/";  ///< path and query
  HeaderList headers;
  std::string body;
  int weight = 1;
};

enum class Selection { kWeighted, kRoundRobin };

struct RequestList {
  Selection selection = Selection::kWeighted;
  std::vector<RequestSpec> requests;
};

/// Parses the request list format above. Errors are ParseError "line N: what".
/// `base_dir` resolves @body-file paths; `origin` checks absolute URLs.
RequestList parse_request_list(std::string_view text, const std::filesystem::path& base_dir,
                               const Url& origin);
/// Reads and parses a request list file; errors name the file ("<path>:N: what").
RequestList load_request_list(const std::filesystem::path& path, const Url& origin);

/// The request's bytes on the wire. Headers given in `spec` override `common` ones with the
/// same name (case-insensitive); Host comes from the URL unless given; Content-Length is added
/// for a body (or for POST/PUT/PATCH without one); "Connection: close" when !keepalive.
std::string serialize_request(const RequestSpec& spec, const HeaderList& common, const Url& url,
                              bool keepalive);

/// Deterministic request choice: round-robin, or smooth weighted round-robin.
class RequestSelector {
 public:
  RequestSelector() = default;
  RequestSelector(const std::vector<int>& weights, Selection selection);
  /// Index of the next request. O(n) in weighted mode (n is the list length, small).
  std::uint32_t next() {
    if (weights_.size() <= 1) return 0;
    if (selection_ == Selection::kRoundRobin) {
      const auto i = rr_;
      rr_ = (rr_ + 1) % static_cast<std::uint32_t>(weights_.size());
      return i;
    }
    return next_weighted();
  }

 private:
  std::uint32_t next_weighted();
  Selection selection_ = Selection::kRoundRobin;
  std::vector<std::int64_t> weights_;
  std::vector<std::int64_t> current_;
  std::int64_t total_ = 0;
  std::uint32_t rr_ = 0;
};

}  // namespace benchgate::loadgen
