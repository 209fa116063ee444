#include "profilers/perf_opreport.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/text.h"

namespace benchgate::profilers {
namespace {

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// "cpu-clock:ppp" and "cpu-clock" are the same event.
std::string event_base(const std::string& e) {
  return e.substr(0, e.find(':'));
}

struct Sym {
  std::string name;
  std::uint64_t start = 0;
  std::int64_t count = 0;
};
struct Image {
  std::string name;
  std::int64_t count = 0;
  std::map<std::string, Sym> symbols;
};

}  // namespace

OpreportDocuments opreport_from_perf(const std::vector<PerfSample>& samples,
                                     const OpreportFromPerfOptions& o) {
  std::string event = event_base(o.event);
  std::map<std::string, Image> images;
  OpreportDocuments d;
  for (const auto& s : samples) {
    if (event.empty()) event = event_base(s.event);
    if (event_base(s.event) != event) continue;
    std::string dso = "[unknown]", symbol = "[unknown]";
    std::uint64_t start = 0;
    if (!s.frames.empty()) {
      const auto& f = s.frames.front();
      if (!f.dso.empty()) dso = f.dso;
      if (!f.symbol.empty()) symbol = f.symbol;
      start = f.address >= f.offset ? f.address - f.offset : f.address;
    }
    auto& img = images[dso];
    img.name = dso;
    ++img.count;
    auto& sym = img.symbols[symbol];
    if (sym.count == 0) {
      sym.name = symbol;
      sym.start = start;
    }
    ++sym.count;
    ++d.samples;
  }
  std::vector<const Image*> order;
  for (const auto& [k, v] : images)
    order.push_back(&v);
  std::stable_sort(order.begin(), order.end(),
                   [](const Image* a, const Image* b) { return a->count > b->count; });

  std::string& x = d.xml;
  x += "<?xml version=\"1.0\" ?>\n";
  x += fmt::format(
      "<profile schemaversion=\"3.0\" cputype=\"{}\" processor=\"{}\" mhz=\"{:.2f}\" "
      "title=\"opreport -X (written by benchgate from perf record, event:{})\">\n",
      html_escape(o.cpu), html_escape(o.cpu), o.mhz, html_escape(event));
  x += fmt::format("<options session=\"event:{}\" source=\"perf record\"/>\n", html_escape(event));
  x += "<setup>\n";
  x += fmt::format("<eventsetup id=\"0\" eventname=\"{}\" unitmask=\"0\" setupcount=\"{}\"/>\n",
                   html_escape(event), o.period);
  x += "</setup>\n";
  struct Row {
    const Image* image;
    const Sym* sym;
  };
  std::vector<Row> rows;
  std::string table;
  int id = 0;
  for (const Image* img : order) {
    x += fmt::format("<binary name=\"{}\">\n<count>{}</count>\n", html_escape(img->name),
                     img->count);
    std::vector<const Sym*> syms;
    for (const auto& [k, v] : img->symbols)
      syms.push_back(&v);
    std::stable_sort(syms.begin(), syms.end(),
                     [](const Sym* a, const Sym* b) { return a->count > b->count; });
    for (const Sym* s : syms) {
      x += fmt::format("<symbol idref=\"{}\">\n<count>{}</count>\n</symbol>\n", id, s->count);
      table += fmt::format("<symboldata id=\"{}\" name=\"{}\" startingaddr=\"{:016x}\"/>\n", id,
                           html_escape(s->name), s->start);
      rows.push_back({img, s});
      ++id;
    }
    x += "</binary>\n";
  }
  x += "<symboltable>\n" + table + "</symboltable>\n</profile>\n";
  d.images = static_cast<std::int64_t>(order.size());
  d.symbols = id;

  // opreport -l: every symbol of every image, by samples.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.sym->count > b.sym->count; });
  std::string& t = d.text;
  t += fmt::format("CPU: {}, speed {:g} MHz (estimated)\n", o.cpu.empty() ? "unknown" : o.cpu,
                   o.mhz);
  t += fmt::format(
      "Counted {} events (perf record software event; written by benchgate) with a unit mask "
      "of 0x00 (No unit mask) count {}\n",
      event, o.period);
  t += "samples  %        image name               symbol name\n";
  for (const auto& r : rows) {
    const double pct =
        d.samples > 0 ? 100.0 * static_cast<double>(r.sym->count) / static_cast<double>(d.samples)
                      : 0.0;
    std::string image = basename_of(r.image->name);
    std::replace(image.begin(), image.end(), ' ', '_');
    t += fmt::format("{:<8} {:<8.4f} {:<24} {}\n", r.sym->count, pct, image, r.sym->name);
  }
  return d;
}

}  // namespace benchgate::profilers
