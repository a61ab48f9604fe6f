// Proves the built-in ops dashboard works in a real browser against a live
// cluster: headless Chromium (Debian's, through chromedriver) refuses a
// member's token, signs in with the operator's, and shows 4 connected nodes
// with one state digest, a non-zero epoch rate and the settlement run a
// cut-off made; the screenshot it saves is not blank.

#include "tests/browser/png_check.h"
#include "tests/browser/webdriver.h"
#include "tests/cluster/cluster_checks.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace quorumclear::testing {
namespace {

using namespace std::chrono_literals;

TEST(ClusterDashboard, OperatorSeesFourAgreeingNodesEpochRateAndTheRunAMemberIsRefused) {
  ASSERT_TRUE(ChromeDriver::available()) << "ops/bootstrap.sh installs Debian's chromium and chromium-driver";
  Cluster c;
  c.start_all();
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_TRUE(c.wait_ready(i)) << c.log_of(i);

  // A little of a day, settling the same day: two-sided trades, a venue
  // trade, then the cut-off, whose run nets them.
  for (int k = 0; k < 20; ++k) {
    const std::string t = report_json("T-" + std::to_string(k), k % 2 ? "BANK_A" : "BANK_B", k % 2 ? "BANK_B" : "BANK_A",
                                      "DE0007164600", 10 + k, "10.50", "2026-12-01", "2026-12-01");
    ASSERT_EQ(c.api(0, "POST", "/v1/trades", c.token("BANK_A"), t).status, 202);
    ASSERT_EQ(c.api(1, "POST", "/v1/trades", c.token("BANK_B"), t).status, 202);
  }
  ASSERT_EQ(c.api(3, "POST", "/v1/trades", c.token("VENUE"),
                  report_json("V-1", "BANK_C", "BANK_A", "US0378331005", 7, "150.25", "2026-12-01", "2026-12-01"))
                .status,
            202);
  ASSERT_TRUE(eventually([&] {
    const auto counts = rows_everywhere(c, "SELECT count(*) FROM trades WHERE status = 'CONFIRMED'");
    for (const auto& n : counts) {
      if (n != std::vector<std::string>{"41|"}) return false;
    }
    return true;
  }));
  // The date is named, as clearctl names it: a request without one proposes
  // whatever date that node has open, so one reaching a node after the first
  // f+1 closed 2026-12-01 would propose (and with another, close) 2026-12-02.
  for (std::size_t i = 0; i < c.size(); ++i) {
    const int status = c.api(i, "POST", "/v1/cutoff", c.token("OPS"), R"({"business_date": "2026-12-01"})").status;
    ASSERT_TRUE(status == 202 || status == 200) << status;
  }
  ASSERT_TRUE(eventually([&] {
    return c.api(0, "GET", "/v1/settlement-runs/2026-12-01", c.token("OPS")).status == 200;
  }));

  ChromeDriver browser;
  const std::string page = c.api_url(0) + "/dashboard";
  const auto state = [&] { return browser.execute("return document.body.dataset.state || ''"); };
  const auto sign_in = [&](const std::string& token) {
    browser.navigate(page);
    const std::optional<std::string> field = browser.find("#token");
    const std::optional<std::string> button = browser.find("#sign-in");
    ASSERT_TRUE(field && button) << browser.execute("return document.body.innerHTML");
    browser.type(*field, token);
    browser.click(*button);
  };

  // A member's token: refused, and nothing of the dashboard is shown.
  sign_in(c.token("BANK_A"));
  ASSERT_TRUE(browser.wait_until([&] { return state() == "refused"; }, 15s)) << state();
  const std::optional<std::string> refusal = browser.find("#auth-error");
  ASSERT_TRUE(refusal);
  EXPECT_NE(browser.text(*refusal).find("403"), std::string::npos) << browser.text(*refusal);
  EXPECT_EQ(browser.execute("return String(document.getElementById('dashboard').offsetParent === null)"), "true");
  browser.execute("sessionStorage.clear(); return ''");

  // The operator: live, refreshing, four connected nodes with one digest.
  sign_in(c.token("OPS"));
  ASSERT_TRUE(browser.wait_until([&] { return state() == "live"; }, 15s)) << state();
  const auto text_of = [&](const std::string& css) {
    const std::optional<std::string> e = browser.find(css);
    return e ? browser.text(*e) : std::string("(no " + css + ")");
  };
  const auto number_of = [&](const std::string& css) {
    const std::string t = text_of(css);
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    return end == t.c_str() ? -1.0 : v;
  };
  const bool agreed = browser.wait_until(
      [&] {
        return text_of("#connected-count") == "4" && text_of("#distinct-digests") == "1" &&
               browser.execute("return String(document.querySelectorAll('#nodes tr[data-node][data-agrees=\"true\"]').length)") == "4" &&
               number_of("#epoch-rate") > 0 &&
               browser.execute("return document.getElementById('settlement').dataset.businessDate || ''") ==
                   "2026-12-01";
      },
      30s);
  EXPECT_TRUE(agreed) << "connected " << text_of("#connected-count") << ", digests " << text_of("#distinct-digests")
                      << ", epoch rate " << text_of("#epoch-rate") << ", nodes: " << text_of("#nodes")
                      << ", settlement: " << text_of("#settlement");
  EXPECT_GE(std::stoi(browser.execute("return document.getElementById('dashboard').dataset.refreshed || '0'")), 2);

  // The screenshot: saved beside the cluster (and where QC_DASHBOARD_SCREENSHOT
  // says, for the README), and not blank.
  const std::vector<std::uint8_t> png = browser.screenshot_png();
  const std::optional<PngSummary> summary = summarize_png(png);
  ASSERT_TRUE(summary.has_value()) << png.size() << " bytes that are not a PNG";
  EXPECT_GE(summary->width, 1'000u);
  EXPECT_GT(summary->distinct_colors, 50u);
  EXPECT_GT(summary->non_background_fraction, 0.03);
  const auto save = [&](const std::filesystem::path& to) {
    std::ofstream out(to, std::ios::binary);
    out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  };
  save(c.dir() / "dashboard.png");
  if (const char* to = std::getenv("QC_DASHBOARD_SCREENSHOT"); to != nullptr && *to != '\0') save(to);
  std::cout << "dashboard screenshot: " << summary->width << "x" << summary->height << ", "
            << summary->distinct_colors << " colours, " << summary->non_background_fraction * 100
            << "% not background\n";
  for (std::size_t i = 0; i < c.size(); ++i) c.signal(i, SIGTERM);
}

}  // namespace
}  // namespace quorumclear::testing
