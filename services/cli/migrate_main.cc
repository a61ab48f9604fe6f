// quorumclear-migrate: bring a node's database to the schema this build
// expects. Used by the quickstart and by operators before a node upgrade.
#include "services/store/migrations.h"

#include <cstring>
#include <iostream>

namespace {

int usage() {
  std::cerr << "usage: quorumclear-migrate --db POSTGRES_URL [--schema-dir DIR]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  std::string schema_dir = QC_SCHEMA_DIR;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
      url = argv[++i];
    } else if (std::strcmp(argv[i], "--schema-dir") == 0 && i + 1 < argc) {
      schema_dir = argv[++i];
    } else {
      return usage();
    }
  }
  if (url.empty()) return usage();
  try {
    pqxx::connection db(url);
    const auto migrations = quorumclear::store::load_migrations(schema_dir);
    const auto report = quorumclear::store::apply_migrations(db, migrations);
    for (const auto& name : report.applied) std::cout << "applied " << name << "\n";
    std::cout << "schema at version " << migrations.size() << " (" << report.applied.size()
              << " applied now, " << report.already_applied << " before)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
