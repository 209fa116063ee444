#pragma once
// results.json (de)serialisation, schema validation and atomic file writing.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "results/model.h"

namespace benchgate::results {

void to_json(nlohmann::json& j, const LoadPoint& v);
void from_json(const nlohmann::json& j, LoadPoint& v);
void to_json(nlohmann::json& j, const LatencyStats& v);
void from_json(const nlohmann::json& j, LatencyStats& v);
void to_json(nlohmann::json& j, const DriverResult& v);
void from_json(const nlohmann::json& j, DriverResult& v);
void to_json(nlohmann::json& j, const ResourceUsage& v);
void from_json(const nlohmann::json& j, ResourceUsage& v);
void to_json(nlohmann::json& j, const Traces& v);
void from_json(const nlohmann::json& j, Traces& v);
void to_json(nlohmann::json& j, const ProfileSummary& v);
void from_json(const nlohmann::json& j, ProfileSummary& v);
void to_json(nlohmann::json& j, const PeriodResult& v);
void from_json(const nlohmann::json& j, PeriodResult& v);
void to_json(nlohmann::json& j, const RunRecord& v);
void from_json(const nlohmann::json& j, RunRecord& v);
void to_json(nlohmann::json& j, const ResultsFile& v);
void from_json(const nlohmann::json& j, ResultsFile& v);

/// Parses text as JSON. Throws ConfigError "<origin>:<line>:<col>: <what>" on syntax errors.
/// allow_nonfinite: bare NaN/Infinity/-Infinity tokens (Google Benchmark) become null.
nlohmann::json parse_json_text(const std::string& text, const std::string& origin,
                               bool allow_nonfinite = false);
/// Reads a file; ConfigError naming the file when missing, empty or malformed.
nlohmann::json read_json_file(const std::filesystem::path& path, bool allow_nonfinite = false);

/// Validates j against one of the bundled schemas ("results", "suite", "baseline").
/// Throws ConfigError "<origin>: <json pointer>: <message>" for the first few problems.
void validate_against_schema(const nlohmann::json& j, const std::string& schema_name,
                             const std::string& origin);
/// The bundled schema text (also written by `benchgate validate --print-schema`).
const std::string& schema_text(const std::string& schema_name);

/// Reads, schema-validates and converts a results.json file.
ResultsFile read_results(const std::filesystem::path& path);
ResultsFile results_from_json(const nlohmann::json& j, const std::string& origin);
/// Serialises (and in debug builds validates) and writes atomically.
void write_results(const ResultsFile& r, const std::filesystem::path& path);

}  // namespace benchgate::results
