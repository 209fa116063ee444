#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/error.h"
#include "results/json.h"
#include "results/schemas.h"

namespace benchgate::results {

const std::string& schema_text(const std::string& name) {
  static const std::map<std::string, std::string> texts = [] {
    std::map<std::string, std::string> m;
    for (const auto& [n, t] : bundled::kSchemas)
      m.emplace(std::string(n), std::string(t));
    return m;
  }();
  auto it = texts.find(name);
  if (it == texts.end()) throw InternalError(fmt::format("no bundled schema named '{}'", name));
  return it->second;
}

namespace {

const valijson::Schema& compiled_schema(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<valijson::Schema>> cache;
  std::lock_guard lock(mu);
  auto& slot = cache[name];
  if (!slot) {
    auto doc = nlohmann::json::parse(schema_text(name));
    slot = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *slot);
  }
  return *slot;
}

}  // namespace

void validate_against_schema(const nlohmann::json& j, const std::string& schema_name,
                             const std::string& origin) {
  const auto& schema = compiled_schema(schema_name);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(j);
  if (validator.validate(schema, target, &results)) return;

  // valijson reports a chain of errors from the outermost to the innermost schema; the
  // deepest context is the most useful one to show.
  std::string msg;
  valijson::ValidationResults::Error err;
  std::size_t best_depth = 0;
  std::string best;
  int shown = 0;
  while (results.popError(err)) {
    std::string ptr;
    for (const auto& c : err.context) {
      if (c == "<root>") continue;
      ptr += c.front() == '[' ? "/" + c.substr(1, c.size() - 2) : "/" + c;
    }
    if (ptr.empty()) ptr = "/";
    if (err.context.size() >= best_depth) {
      best_depth = err.context.size();
      best = fmt::format("{}: {}", ptr, err.description);
    }
    ++shown;
  }
  throw ConfigError(fmt::format("{}: does not match the {} schema: {}", origin, schema_name, best));
}

}  // namespace benchgate::results
