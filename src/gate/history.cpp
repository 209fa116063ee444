#include "gate/history.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace benchgate::gate {

using nlohmann::json;

const HistoryValue* HistoryEntry::find(std::string_view app, std::string_view cell,
                                       std::string_view metric) const {
  for (const auto& v : values) {
    if (v.app == app && v.cell == cell && v.metric == metric) return &v;
  }
  return nullptr;
}

json history_to_json(const History& history) {
  json out = json::array();
  for (const auto& e : history) {
    json medians = json::object();
    for (const auto& v : e.values) {
      if (std::isfinite(v.median)) medians[v.app][v.cell][v.metric] = v.median;
    }
    out.push_back({{"created_at", e.created_at},
                   {"commit", e.commit},
                   {"tool_version", e.tool_version},
                   {"medians", std::move(medians)}});
  }
  return out;
}

History history_from_json(const json& j, const std::string& origin) {
  History out;
  if (!j.is_array()) {
    throw ConfigError(fmt::format("{}: /history: expected an array of past baselines", origin));
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& e = j[i];
    const auto where = fmt::format("{}: /history/{}", origin, i);
    if (!e.is_object()) throw ConfigError(where + ": expected an object");
    HistoryEntry h;
    auto str = [&](const char* key, std::string& to) {
      auto it = e.find(key);
      if (it == e.end() || it->is_null()) return;
      if (!it->is_string()) throw ConfigError(fmt::format("{}/{}: expected a string", where, key));
      to = it->get<std::string>();
    };
    str("created_at", h.created_at);
    str("commit", h.commit);
    str("tool_version", h.tool_version);
    auto m = e.find("medians");
    if (m == e.end() || !m->is_object()) {
      throw ConfigError(where + "/medians: expected an object {app: {cell: {metric: median}}}");
    }
    for (const auto& [app, cells] : m->items()) {
      if (!cells.is_object()) {
        throw ConfigError(fmt::format("{}/medians/{}: expected an object of cells", where, app));
      }
      for (const auto& [cell, metrics] : cells.items()) {
        if (!metrics.is_object()) {
          throw ConfigError(
              fmt::format("{}/medians/{}/{}: expected an object of metrics", where, app, cell));
        }
        for (const auto& [metric, value] : metrics.items()) {
          if (!value.is_number()) {
            throw ConfigError(
                fmt::format("{}/medians/{}/{}/{}: expected a number", where, app, cell, metric));
          }
          h.values.push_back({app, cell, metric, value.get<double>()});
        }
      }
    }
    out.push_back(std::move(h));
  }
  return out;
}

std::string provenance_commit(const json& provenance) {
  if (!provenance.is_object()) return "";
  for (const char* key : {"GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "git_commit"}) {
    auto it = provenance.find(key);
    if (it != provenance.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
  }
  return "";
}

void append_bounded(History& history, HistoryEntry newest, std::size_t limit) {
  history.push_back(std::move(newest));
  if (history.size() > limit) {
    history.erase(history.begin(),
                  history.begin() + static_cast<std::ptrdiff_t>(history.size() - limit));
  }
}

}  // namespace benchgate::gate
