#include "cli/cli.h"

int main(int argc, char** argv) { return benchgate::cli::run(argc, argv); }
