#pragma once

#include <string>

#include "common/text/tr.h"
#include "xiaoan/v1/browsing.pb.h"

namespace xiaoan {

// A browser's name for people: "Chrome", "360安全浏览器" / "360 Secure Browser", "Firefox"; "-"
// when unknown. Shared by xiaoanctl status and xiaoan-admin's record lists (both link the
// xiaoan.v1 schema).
inline std::string browserName(v1::BrowserKind browser, Lang lang) {
  switch (browser) {
    case v1::BROWSER_KIND_CHROME:
      return "Chrome";
    case v1::BROWSER_KIND_CHROMIUM:
      return "Chromium";
    case v1::BROWSER_KIND_EDGE:
      return "Edge";
    case v1::BROWSER_KIND_360SE:
      return tr(lang, "360安全浏览器", "360 Secure Browser");
    case v1::BROWSER_KIND_360CHROME:
      return tr(lang, "360极速浏览器", "360 Speed Browser");
    case v1::BROWSER_KIND_360CHROMEX:
      return tr(lang, "360极速浏览器X", "360 Speed Browser X");
    case v1::BROWSER_KIND_QQ:
      return tr(lang, "QQ浏览器", "QQ Browser");
    case v1::BROWSER_KIND_SOGOU:
      return tr(lang, "搜狗浏览器", "Sogou Browser");
    case v1::BROWSER_KIND_2345:
      return tr(lang, "2345浏览器", "2345 Browser");
    case v1::BROWSER_KIND_LIEBAO:
      return tr(lang, "猎豹浏览器", "Liebao Browser");
    case v1::BROWSER_KIND_FIREFOX:
      return "Firefox";
    default:
      return "-";
  }
}

}  // namespace xiaoan
