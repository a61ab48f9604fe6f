// The parts browser tests stand on: summarize_png on images encoded here
// (every filter type, every kind of damage) and on Chromium's own
// screenshots, and ChromeDriver on data: pages. Tests that need the browser
// fail, not skip, when it is missing.

#include "tests/browser/png_check.h"
#include "tests/browser/webdriver.h"

#include <Poco/Checksum.h>
#include <Poco/DeflatingStream.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace quorumclear::testing {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr const char* kInstallHint =
    "/usr/bin/chromium or /usr/bin/chromedriver is missing: ops/bootstrap.sh installs the chromium and "
    "chromium-driver packages (CI installs them)";

// ---- a minimal PNG encoder, so each test controls every byte ----

void put32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_chunk(Bytes& out, const char* type, const Bytes& data, bool good_crc = true) {
  put32(out, static_cast<std::uint32_t>(data.size()));
  Bytes typed(type, type + 4);
  typed.insert(typed.end(), data.begin(), data.end());
  out.insert(out.end(), typed.begin(), typed.end());
  Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
  crc.update(reinterpret_cast<const char*>(typed.data()), static_cast<unsigned>(typed.size()));
  put32(out, crc.checksum() ^ (good_crc ? 0U : 1U));
}

Bytes zlib(const Bytes& raw) {
  std::ostringstream out;
  Poco::DeflatingOutputStream deflater(out, Poco::DeflatingStreamBuf::STREAM_ZLIB);
  deflater.write(reinterpret_cast<const char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  deflater.close();
  const std::string s = out.str();
  return Bytes(s.begin(), s.end());
}

std::uint8_t paeth(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
}

struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::size_t channels = 3;  // 3 RGB, 4 RGBA
  Bytes pixels;              // rows of width * channels bytes
};

/// The scanlines with filter `filter` on every row, or row % 5 when -1.
Bytes filtered(const Image& image, int filter) {
  const std::size_t stride = image.width * image.channels, bpp = image.channels;
  Bytes raw;
  for (std::size_t row = 0; row < image.height; ++row) {
    const int f = filter >= 0 ? filter : static_cast<int>(row % 5);
    raw.push_back(static_cast<std::uint8_t>(f));
    const std::uint8_t* cur = image.pixels.data() + row * stride;
    const std::uint8_t* prev = row == 0 ? nullptr : cur - stride;
    for (std::size_t i = 0; i < stride; ++i) {
      const std::uint8_t a = i >= bpp ? cur[i - bpp] : 0;
      const std::uint8_t b = prev ? prev[i] : 0;
      const std::uint8_t c = prev && i >= bpp ? prev[i - bpp] : 0;
      const int predictor = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
      raw.push_back(static_cast<std::uint8_t>(cur[i] - predictor));
    }
  }
  return raw;
}

Bytes ihdr(std::uint32_t width, std::uint32_t height, std::uint8_t depth, std::uint8_t color,
           std::uint8_t interlace = 0) {
  Bytes data;
  put32(data, width);
  put32(data, height);
  data.insert(data.end(), {depth, color, 0, 0, interlace});
  return data;
}

Bytes png_from(const Bytes& header, const std::vector<Bytes>& idats, bool with_end = true) {
  Bytes out = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  put_chunk(out, "IHDR", header);
  put_chunk(out, "tEXt", Bytes{'a', 0, 'b'});  // an ancillary chunk to skip
  for (const Bytes& idat : idats) put_chunk(out, "IDAT", idat);
  if (with_end) put_chunk(out, "IEND", {});
  return out;
}

Bytes encode(const Image& image, int filter = 0) {
  const Bytes compressed = zlib(filtered(image, filter));
  // Two IDAT chunks, to check they are joined.
  const auto half = static_cast<std::ptrdiff_t>(compressed.size() / 2);
  return png_from(ihdr(image.width, image.height, 8, image.channels == 4 ? 6 : 2),
                  {Bytes(compressed.begin(), compressed.begin() + half), Bytes(compressed.begin() + half, compressed.end())});
}

/// Pseudo-random colours from a small palette, so values wrap around in
/// every filter and some colours repeat.
Image noisy_image(std::uint32_t width, std::uint32_t height, std::size_t channels, unsigned seed) {
  Image image{width, height, channels, {}};
  std::mt19937 rng(seed);
  for (std::size_t i = 0; i < std::size_t{width} * height; ++i) {
    const bool background = rng() % 3 != 0;
    for (const std::uint8_t shade : {std::uint8_t{250}, std::uint8_t{130}, std::uint8_t{10}}) {
      image.pixels.push_back(background ? shade : static_cast<std::uint8_t>((rng() % 8) * 37));
    }
    if (channels == 4) image.pixels.push_back(static_cast<std::uint8_t>(rng()));
  }
  return image;
}

/// The summary computed straight from the pixels.
PngSummary expected_summary(const Image& image) {
  std::map<std::uint32_t, std::size_t> counts;
  for (std::size_t i = 0; i < image.pixels.size(); i += image.channels) {
    const std::uint8_t* p = image.pixels.data() + i;
    ++counts[(std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2]];
  }
  std::size_t most = 0;
  for (const auto& [color, n] : counts) most = std::max(most, n);
  const double total = static_cast<double>(std::size_t{image.width} * image.height);
  return {image.width, image.height, counts.size(), (total - static_cast<double>(most)) / total};
}

void expect_same(const PngSummary& got, const PngSummary& want) {
  EXPECT_EQ(got.width, want.width);
  EXPECT_EQ(got.height, want.height);
  EXPECT_EQ(got.distinct_colors, want.distinct_colors);
  EXPECT_DOUBLE_EQ(got.non_background_fraction, want.non_background_fraction);
}

TEST(PngCheck, UndoesEveryFilterTypeForRgbAndRgba) {
  for (const std::size_t channels : {std::size_t{3}, std::size_t{4}}) {
    const Image image = noisy_image(37, 23, channels, static_cast<unsigned>(channels));
    for (int filter = -1; filter <= 4; ++filter) {
      SCOPED_TRACE("channels " + std::to_string(channels) + " filter " + std::to_string(filter));
      const Bytes png = encode(image, filter);
      const auto summary = summarize_png(png);
      ASSERT_TRUE(summary.has_value());
      expect_same(*summary, expected_summary(image));
    }
  }
}

TEST(PngCheck, SmallKnownImage) {
  // 4 x 2: six white pixels, one red, one blue (alpha must not matter).
  Image image{4, 2, 4, {}};
  for (int i = 0; i < 8; ++i) {
    const std::uint8_t alpha = static_cast<std::uint8_t>(i * 30);
    if (i == 2) {
      image.pixels.insert(image.pixels.end(), {255, 0, 0, alpha});
    } else if (i == 5) {
      image.pixels.insert(image.pixels.end(), {0, 0, 255, alpha});
    } else {
      image.pixels.insert(image.pixels.end(), {255, 255, 255, alpha});
    }
  }
  const auto summary = summarize_png(encode(image, 4));
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->width, 4U);
  EXPECT_EQ(summary->height, 2U);
  EXPECT_EQ(summary->distinct_colors, 3U);
  EXPECT_DOUBLE_EQ(summary->non_background_fraction, 0.25);
}

TEST(PngCheck, RefusesMalformedInput) {
  const Image image = noisy_image(9, 7, 3, 7);
  const Bytes good = encode(image, -1);
  ASSERT_TRUE(summarize_png(good).has_value());
  const Bytes compressed = zlib(filtered(image, 0));
  const Bytes header = ihdr(9, 7, 8, 2);

  EXPECT_FALSE(summarize_png({}).has_value());
  Bytes wrong_signature = good;
  wrong_signature[1] = 'Q';
  EXPECT_FALSE(summarize_png(wrong_signature).has_value());
  for (std::size_t length = 0; length < good.size(); ++length) {
    EXPECT_FALSE(summarize_png(std::span(good.data(), length)).has_value()) << "prefix of " << length;
  }
  // A well-formed chunk holding only part of the zlib stream.
  EXPECT_FALSE(summarize_png(png_from(header, {Bytes(compressed.begin(), compressed.begin() + 20)})).has_value());
  EXPECT_FALSE(summarize_png(png_from(header, {Bytes(compressed.begin(), compressed.end() - 4)})).has_value());
  EXPECT_FALSE(summarize_png(png_from(header, {Bytes{1, 2, 3, 4, 5, 6, 7, 8}})).has_value());
  Bytes too_much = filtered(image, 0);
  too_much.push_back(0);
  EXPECT_FALSE(summarize_png(png_from(header, {zlib(too_much)})).has_value());
  Bytes bad_filter = filtered(image, 0);
  bad_filter[0] = 5;
  EXPECT_FALSE(summarize_png(png_from(header, {zlib(bad_filter)})).has_value());

  Bytes bad_crc = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  put_chunk(bad_crc, "IHDR", header, false);
  put_chunk(bad_crc, "IDAT", compressed);
  put_chunk(bad_crc, "IEND", {});
  EXPECT_FALSE(summarize_png(bad_crc).has_value());
  EXPECT_FALSE(summarize_png(png_from(header, {compressed}, false)).has_value()) << "no IEND";
  EXPECT_FALSE(summarize_png(png_from(header, {})).has_value()) << "no IDAT";

  EXPECT_FALSE(summarize_png(png_from(ihdr(9, 7, 16, 2), {compressed})).has_value()) << "16-bit";
  EXPECT_FALSE(summarize_png(png_from(ihdr(9, 7, 8, 3), {compressed})).has_value()) << "palette";
  EXPECT_FALSE(summarize_png(png_from(ihdr(9, 7, 8, 0), {compressed})).has_value()) << "grey";
  EXPECT_FALSE(summarize_png(png_from(ihdr(9, 7, 8, 2, 1), {compressed})).has_value()) << "interlaced";
  EXPECT_FALSE(summarize_png(png_from(ihdr(0, 7, 8, 2), {compressed})).has_value()) << "no width";
  EXPECT_FALSE(summarize_png(png_from(ihdr(65535, 65535, 8, 2), {compressed})).has_value()) << "huge";
  EXPECT_FALSE(summarize_png(png_from(ihdr(0x80000000U, 1, 8, 2), {compressed})).has_value());
  Bytes short_header = header;
  short_header.pop_back();
  EXPECT_FALSE(summarize_png(png_from(short_header, {compressed})).has_value());
}

TEST(PngCheck, SurvivesRandomDamage) {
  const Image image = noisy_image(16, 12, 4, 11);
  const Bytes compressed = zlib(filtered(image, -1));
  const Bytes header = ihdr(16, 12, 8, 6);
  std::mt19937 rng(42);
  for (int round = 0; round < 3000; ++round) {
    // Damage inside the zlib stream with a matching CRC reaches the
    // inflater and the unfilter; damage elsewhere mostly stops at a CRC.
    Bytes idat = compressed;
    Bytes png;
    if (round % 2 == 0) {
      for (int k = 0; k < 1 + round % 4; ++k) idat[rng() % idat.size()] = static_cast<std::uint8_t>(rng());
      if (round % 6 == 0) idat.resize(rng() % idat.size());
      png = png_from(header, {idat});
    } else {
      png = png_from(header, {idat});
      for (int k = 0; k < 1 + round % 4; ++k) png[rng() % png.size()] = static_cast<std::uint8_t>(rng());
      if (round % 5 == 1) png.resize(rng() % png.size());
    }
    const auto summary = summarize_png(png);
    if (summary) {
      EXPECT_EQ(summary->width, 16U);
      EXPECT_EQ(summary->height, 12U);
      EXPECT_GE(summary->distinct_colors, 1U);
      EXPECT_LE(summary->non_background_fraction, 1.0);
    }
  }
}

// ---- with headless Chromium ----

/// Percent-encodes everything but letters and digits, so '#' and '%' in the
/// HTML survive as part of a data: URL.
std::string data_url(const std::string& html) {
  std::string url = "data:text/html;charset=utf-8,";
  for (const char c : html) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      url += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      url += hex;
    }
  }
  return url;
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ChromeDriver::available()) << kInstallHint;
    driver_.emplace();
  }
  ChromeDriver& driver() { return *driver_; }

 private:
  std::optional<ChromeDriver> driver_;
};

TEST_F(Browser, BlankPageScreenshotIsOneColour) {
  driver().navigate(data_url(R"(<body style="margin:0;background:#fff"></body>)"));
  const Bytes png = driver().screenshot_png();
  const auto summary = summarize_png(png);
  ASSERT_TRUE(summary.has_value()) << png.size() << " bytes that do not parse";
  EXPECT_GE(summary->width, 800U);
  EXPECT_GE(summary->height, 600U);
  EXPECT_LE(summary->distinct_colors, 2U);
  EXPECT_LT(summary->non_background_fraction, 0.001);

  // Chromium's own encoding, cut short: inside the pixel data and just
  // before the end.
  EXPECT_FALSE(summarize_png(std::span(png.data(), png.size() / 2)).has_value());
  EXPECT_FALSE(summarize_png(std::span(png.data(), png.size() - 12)).has_value());
}

TEST_F(Browser, ColouredPageScreenshotHasContent) {
  driver().navigate(data_url(R"(<body style="margin:0;background:#fff;font:32px sans-serif">)"
                             R"(<div style="height:300px;background:#c0392b"></div>)"
                             R"(<div style="height:300px;background:#27ae60;width:50%"></div>)"
                             R"(<p>Quorum clearing: every member's net position, settled.</p>)"
                             R"html(<div style="height:200px;background:linear-gradient(90deg,#00f,#ff0)"></div>)html"
                             R"(</body>)"));
  const auto summary = summarize_png(driver().screenshot_png());
  ASSERT_TRUE(summary.has_value());
  EXPECT_GT(summary->distinct_colors, 50U);
  EXPECT_GT(summary->non_background_fraction, 0.05);
  EXPECT_LT(summary->non_background_fraction, 0.95);
}

TEST_F(Browser, TypesClicksAndReadsBack) {
  driver().navigate(data_url(R"(<title>Basics</title>)"
                             R"(<input id="name" data-role="who">)"
                             R"(<button id="go" onclick="document.getElementById('out').textContent = )"
                             R"(document.getElementById('name').value">Go</button>)"
                             R"(<div id="out"></div>)"));
  const auto input = driver().find("#name");
  const auto button = driver().find("button#go");
  const auto out = driver().find("#out");
  ASSERT_TRUE(input && button && out);
  EXPECT_FALSE(driver().find("#nowhere").has_value());

  driver().type(*input, "BANK_A 100 #1");
  driver().click(*button);
  EXPECT_TRUE(driver().wait_until([&] { return driver().text(*out) == "BANK_A 100 #1"; },
                                  std::chrono::milliseconds(5000)))
      << driver().text(*out);

  EXPECT_EQ(driver().execute("return document.title"), "Basics");
  EXPECT_EQ(driver().execute("return 1 + 2"), "3");
  EXPECT_EQ(driver().execute("return null"), "null");
  EXPECT_EQ(driver().execute("return [true, 'x']"), R"([true,"x"])");
  EXPECT_EQ(driver().attribute(*input, "data-role"), std::optional<std::string>("who"));
  EXPECT_EQ(driver().attribute(*input, "data-none"), std::nullopt);
  EXPECT_FALSE(driver().wait_until([] { return false; }, std::chrono::milliseconds(100)));
}

TEST_F(Browser, ProtocolErrorsThrowWithChromedriversMessage) {
  driver().navigate(data_url("<p>x</p>"));
  try {
    driver().click("no-such-element-id");
    ADD_FAILURE() << "click on a made-up element did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no such element"), std::string::npos) << e.what();
  }
  try {
    (void)driver().execute("throw new Error('boom in the page')");
    ADD_FAILURE() << "a throwing script did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("boom in the page"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)driver().find("::not a selector::"), std::runtime_error);
}

TEST(BrowserLifetime, DestructorStopsChromedriver) {
  ASSERT_TRUE(ChromeDriver::available()) << kInstallHint;
  std::uint16_t port = 0;
  {
    ChromeDriver driver;
    port = driver.port();
    driver.navigate(data_url("<p>bye</p>"));
  }
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(5, 0));
  Poco::Net::HTTPRequest request("GET", "/status", Poco::Net::HTTPMessage::HTTP_1_1);
  EXPECT_ANY_THROW(session.sendRequest(request)) << "chromedriver still listens on " << port;
}

}  // namespace
}  // namespace quorumclear::testing
