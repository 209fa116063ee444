#pragma once
// The human summary `benchgate drive` prints on stdout.

#include <ostream>

#include "results/model.h"

namespace benchgate::cli {

void print_drive_summary(std::ostream& os, const results::ResultsFile& results);

}  // namespace benchgate::cli
