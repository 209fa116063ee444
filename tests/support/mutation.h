#pragma once
// Deterministic mutation sweeps for parser tests: truncations of a recorded input plus random
// byte edits (replace with a character of `alphabet`, delete 1-8 bytes, insert one), then every
// mutant through a parser that may only succeed or throw the documented error type. A cheap,
// repeatable companion of the libFuzzer targets in fuzz/ (which explore far more inputs).

#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

namespace benchgate::testing {

struct MutationOptions {
  unsigned seed = 7;
  int truncations = 40;  ///< prefixes of size k/(truncations+1) of the text, k = 1..truncations
  int edited = 200;      ///< mutants with random edits
  int max_edits = 3;     ///< each has 1..max_edits edits
  std::string alphabet = " \n\r\t%-x0.9:;,()#=[]<>&\"|";
  std::size_t limit = std::string::npos;  ///< only the text's first `limit` bytes
};

inline std::vector<std::string> mutants(const std::string& text, const MutationOptions& o = {}) {
  const std::string base = text.substr(0, o.limit);
  std::vector<std::string> out;
  for (int i = 1; i <= o.truncations; ++i) {
    out.push_back(base.substr(0, base.size() * i / (o.truncations + 1)));
  }
  std::mt19937 rng(o.seed);
  for (int i = 0; i < o.edited && !base.empty(); ++i) {
    std::string m = base;
    const int edits = 1 + static_cast<int>(rng() % o.max_edits);
    for (int e = 0; e < edits && !m.empty(); ++e) {
      const auto pos = rng() % m.size();
      switch (rng() % 3) {
        case 0:
          m[pos] = o.alphabet[rng() % o.alphabet.size()];
          break;
        case 1:
          m.erase(pos, 1 + rng() % 8);
          break;
        default:
          m.insert(pos, 1, o.alphabet[rng() % o.alphabet.size()]);
          break;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

struct SweepCounts {
  int accepted = 0;
  int rejected = 0;  ///< threw the allowed error type
};

/// Runs parse(m) for every mutant; any exception other than Allowed is a test failure naming
/// `label`, the exception and the input (the sweep stops there).
template <class Allowed, class Parse>
SweepCounts sweep(const std::string& label, const std::vector<std::string>& inputs, Parse&& parse) {
  SweepCounts counts;
  for (const auto& m : inputs) {
    try {
      parse(m);
      ++counts.accepted;
    } catch (const Allowed&) {
      ++counts.rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << label << ": " << typeid(e).name() << ": " << e.what() << "\n--- input ---\n"
                    << m.substr(0, 2000);
      break;
    }
  }
  return counts;
}

}  // namespace benchgate::testing
