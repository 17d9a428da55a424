// Samples: coin miners, web shells, credential dumping, remote-control tools, benign files.
#include <string>
#include <vector>

#include "tests/signatures/rules/samples.h"

namespace xiaoan::sig::samples {
namespace {

using namespace std::literals;

std::vector<Sample> minerSamples() {
  const std::string cmd = "CoinMiner_Stratum_Command_Line";
  const std::string cfg = "CoinMiner_Xmrig_Config";
  const std::string pool = cat({"stratum+", "tcp://pool.example.org:3333"});
  const std::string proto = cat({"mining.sub", "scribe\0mining.auth"sv, "orize\0"sv});
  return {
      {"miner: xmrig command line in a batch file",
       cat({"@echo off\r\nxm", "rig.exe -o ", pool,
            " -u 4ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123 -p x\r\n"}),
       "start.bat",
       {cmd}},
      {"miner: minerd with --url= and --user=",
       cat({"#!/bin/sh\nmin", "erd -a scrypt --url=", pool, " --user=exampleworker.1 -p x\n"}),
       "run.sh",
       {cmd}},
      {"miner: no known name, but -o stratum and a wallet-like user",
       cat({"a.exe -o ", pool, " -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDt"}),
       "m.cmd",
       {cmd}},
      {"miner: XMRig config.json",
       cat({"{\n  \"autosave\": true,\n  \"donate-",
            "level\": 1,\n  \"cpu\": {\"enabled\": true},\n",
            "  \"pools\": [\n    {\"url\": \"pool.example.org:443\", \"user\": \"WALLET\", ",
            "\"pass\": \"x\", \"tls\": true}\n  ]\n}\n"}),
       "config.json",
       {cfg}},
      {"miner: Windows binary",
       pe(cat({proto, "stratum+", "tcp://\0"sv, "xm", "rig\0"sv})),
       "svc.exe",
       {"CoinMiner_Binary_PE"}},
      {"miner: Linux binary",
       elf(cat({proto, "rand", "omx\0"sv})),
       "kworker",
       {"CoinMiner_Binary_ELF"}},
      {"text: a miner README without a pool configuration",
       cat({"XM", "Rig is a high performance, open source RandomX, KawPow and CryptoNight CPU/GPU ",
            "miner.\nThe default donate-", "level is 1%. Pools use URLs like stratum+",
            "tcp://host:port.\n"}),
       "README.md",
       {}},
      {"text: another program's config with url and user",
       "{\"pools\": [], \"url\": \"https://example.org\", \"user\": \"teacher\"}\n",
       "app.json",
       {}},
      {"binary: a program naming a miner twice",
       pe(cat({"xm", "rig\0donate-"sv, "level\0"sv})),
       "scanner.exe",
       {}},
  };
}

std::vector<Sample> webShellSamples() {
  const std::string eval = "WebShell_PHP_Eval_Request";
  const std::string exec = "WebShell_PHP_Exec_Request";
  const std::string asp = "WebShell_ASP_Eval_Request";
  const std::string jsp = "WebShell_JSP_Exec_Request";
  const std::string post = cat({"$_PO", "ST"});
  const std::string get = cat({"$_G", "ET"});
  return {
      {"php: China Chopper one-liner",
       cat({"<?php @ev", "al(", post, "['pass']);?>"}),
       "x.php",
       {eval}},
      {"php: eval of a decoded request value",
       cat({"<?php ev", "al(base64_decode(", "$_REQ", "UEST['c'])); ?>"}),
       "x.php",
       {eval}},
      {"php: function name from the request",
       cat({"<?php @", get, "['a'](@", get, "['b']); ?>"}),
       "x.php",
       {eval}},
      {"php: create_function from the request",
       cat({"<?php $f = create_", "function('', ", post, "['code']); $f(); ?>"}),
       "x.php",
       {eval}},
      {"php: system of a request value",
       cat({"<?php sys", "tem(", get, "['cmd']); ?>"}),
       "x.php",
       {exec}},
      {"php: backticks on a request value",
       cat({"<?php echo `", get, "[c]`; ?>"}),
       "x.php",
       {exec}},
      {"php: eval of nested decoders",
       cat({"<?php ev", "al(gzinflate(base64_", "decode('80jNyclXCM8vyklRBAA='))); ?>"}),
       "x.php",
       {"WebShell_PHP_Obfuscated_Eval"}},
      {"aspx: China Chopper",
       cat({"<%@ Page Language=\"Jscript\"%><%ev", "al(Request.Item[\"p\"],\"unsafe\");%>"}),
       "x.aspx",
       {asp}},
      {"asp: Execute of a request value", cat({"<%exe", "cute(request(\"x\"))%>"}), "x.asp", {asp}},
      {"aspx: Process.Start with a request parameter",
       cat({"<% System.Diagnostics.Process.St",
            "art(\"cmd.exe\", \"/c \" + Request.QueryString[\"c\"]); %>"}),
       "x.aspx",
       {asp}},
      {"jsp: Runtime.exec of a request parameter",
       cat({"<% Runtime.getRuntime().ex", "ec(request.getParameter(\"cmd\")); %>"}),
       "x.jsp",
       {jsp}},
      {"jsp: parameter read first, executed later",
       cat({"<% String c = request.getParameter(\"c\");\nProcess p = Runtime.getRuntime().ex",
            "ec(c); %>"}),
       "x.jsp",
       {jsp}},
      {"jsp: ProcessBuilder of a request parameter",
       cat({"new Process", "Builder(request.getParameter(\"c\")).start();"}),
       "X.java",
       {jsp}},
      {"php: eval on a constant and a normal form handler",
       cat({"<?php $r = eval('return 6 * 7;');\n$name = htmlspecialchars(", post,
            "['name'] ?? '');\nsystem('date');\necho \"Hello $name, $r\";\n"}),
       "form.php",
       {}},
      {"php: one decoder, no request",
       "<?php echo base64_decode('aGVsbG8='); eval('return 1;');\n",
       "b.php",
       {}},
      {"jsp: printing a request parameter",
       "<% String name = request.getParameter(\"name\"); out.println(name); %>",
       "hello.jsp",
       {}},
      {"aspx: showing a request value and eval of a constant",
       "<%= Server.HtmlEncode(Request.Item[\"q\"]) %><% eval(\"1+1\") %>",
       "q.aspx",
       {}},
  };
}

}  // namespace

std::vector<Sample> minerAndWebShellSamples() {
  std::vector<Sample> out = minerSamples();
  for (auto& s : webShellSamples()) out.push_back(std::move(s));
  return out;
}

namespace {

std::vector<Sample> credentialSamples() {
  const std::string cmds = "HackTool_Mimikatz_Commands";
  const std::string lsass = "HackTool_Lsass_Memory_Dump";
  const std::string run =
      cat({"mimikatz.exe \"privilege::de", "bug\" \"sekurlsa::logon", "passwords\" exit\r\n"});
  return {
      {"pe: Mimikatz strings",
       pe(utf16(cat({"mimi", "katz\0sekur"sv, "lsa\0lsad"sv, "ump\0gentil"sv, "kiwi\0"sv}))),
       "m.exe",
       {"HackTool_Mimikatz_PE"}},
      {"pe: a program carrying Mimikatz commands",
       pe(cat({"sekurlsa::logon", "Passwords\0sekurlsa::wdi"sv, "gest\0"sv})),
       "mimi.exe",
       {"HackTool_Mimikatz_PE"}},
      {"ps1: Invoke-Mimikatz -DumpCreds",
       cat({"Invoke-Mimi", "katz -Dump", "Creds\r\n"}),
       "p.ps1",
       {cmds}},
      {"bat: Mimikatz logon passwords", run, "a.bat", {cmds}},
      {"ps1: the same, UTF-16LE", utf16(run), "a.ps1", {cmds}},
      {"ps1: Invoke-Mimikatz SAM dump",
       cat({"Invoke-Mimi", "katz -Command '\"lsadump::", "sam\"'\r\n"}),
       "b.ps1",
       {cmds}},
      {"bat: ProcDump of lsass",
       cat({"procdump.exe -accepteula -ma ls", "ass.exe C:\\t\\l.dmp\r\n"}),
       "d.bat",
       {lsass}},
      {"bat: comsvcs MiniDump",
       cat({"rundll32.exe C:\\Windows\\System32\\comsvcs.dll, Mini",
            "Dump 624 C:\\t\\l.dmp full\r\n"}),
       "e.bat",
       {lsass}},
      {"bat: comsvcs by ordinal",
       cat({"rundll32 comsvcs.dll,#", "24 624 l.dmp full\r\n"}),
       "f.bat",
       {lsass}},
      {"text: security awareness about Mimikatz",
       "Mimikatz is a tool attackers use to read passwords from memory. Keep Windows updated.\n",
       "awareness.txt",
       {}},
      {"bat: ProcDump of another process", "procdump.exe -ma notepad.exe n.dmp\r\n", "g.bat", {}},
      {"bat: looking for lsass", "tasklist | findstr lsass\r\n", "h.bat", {}},
      {"pe: one Mimikatz word", pe(utf16("mimikatz")), "av.exe", {}},
  };
}

std::vector<Sample> remoteAccessSamples() {
  std::vector<Sample> out;
  const std::vector<std::pair<std::string, std::pair<const char*, const char*>>> tools = {
      {"TeamViewer", {"ProductName", "TeamViewer"}},
      {"AnyDesk", {"CompanyName", "philandro Software GmbH"}},
      {"Sunlogin", {"ProductName", "向日葵远程控制"}},
      {"ToDesk", {"ProductName", "ToDesk"}},
      {"RustDesk", {"ProductName", "RustDesk"}},
      {"Radmin", {"CompanyName", "Famatech Corp."}},
      {"AmmyyAdmin", {"ProductName", "Ammyy Admin"}},
  };
  for (const auto& [tool, kv] : tools) {
    out.push_back({"pe: " + tool + " version information",
                   pe(withVersionString(utf16("VS_VERSION_INFO"), kv.first, kv.second)),
                   tool + ".exe",
                   {"PUA_RemoteAdmin_" + tool}});
  }
  const std::string njrat_sep = cat({"|'|", "'|"});
  out.insert(out.end(),
             {
                 {"pe: njRAT",
                  pe(utf16(cat({njrat_sep, "\0netsh firewall add allowed"sv, "program"}))),
                  "n.exe",
                  {"RAT_njRAT"}},
                 {"pe: DarkComet",
                  pe(cat({"DC_MU", "TEX-F4K3\0#BOT#"sv, "URLUpdate\0"sv})),
                  "d.exe",
                  {"RAT_DarkComet"}},
                 {"pe: Quasar",
                  pe(cat({"Quasar.Cli", "ent.Messages\0Quasar.Com"sv, "mon.Messages\0"sv})),
                  "q.exe",
                  {"RAT_Quasar"}},
                 {"pe: Remcos", pe(cat({"Remcos_Mutex", "_Inj\0"sv})), "r.exe", {"RAT_Remcos"}},
                 {"pe: an uninstaller naming TeamViewer",
                  pe(utf16("Uninstall TeamViewer and AnyDesk")),
                  "cleanup.exe",
                  {}},
                 {"pe: another company's version information",
                  pe(withVersionString("", "CompanyName", "Famous Tech Ltd")),
                  "tool.exe",
                  {}},
                 {"text: a policy naming remote tools",
                  "Please do not install TeamViewer, AnyDesk, ToDesk or 向日葵 on lab PCs.\n",
                  "policy.txt",
                  {}},
                 {"text: njRAT words outside a program",
                  cat({njrat_sep, " netsh firewall add allowed", "program\n"}),
                  "notes.txt",
                  {}},
                 {"pe: one Quasar namespace", pe("Quasar.Client\0"sv), "astro.exe", {}},
             });
  return out;
}

}  // namespace

std::vector<Sample> toolSamples() {
  std::vector<Sample> out = credentialSamples();
  for (auto& s : remoteAccessSamples()) out.push_back(std::move(s));
  return out;
}

std::vector<Sample> benignSamples() {
  std::string essay;
  for (int i = 0; i < 3000; ++i) {
    essay += "The students measured the plants every morning and wrote the numbers down. ";
    essay += "同学们每天早上测量植物的高度并记录下来。\n";
  }
  return {
      {"empty file", "", "empty.txt", {}},
      {"PNG header", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"sv), "a.png", {}},
      {"a plain Windows program", pe("KERNEL32.dll\0GetProcAddress\0"sv), "calc.exe", {}},
      {"a plain Linux program", elf("libc.so.6\0printf\0"sv), "ls", {}},
      {"a long text in English and Chinese", essay, "essay.txt", {}},
      {"the same text as UTF-16LE", utf16(essay.substr(0, 20000)), "essay16.txt", {}},
      {"a JSON settings file",
       "{\"theme\": \"dark\", \"url\": \"https://example.org\"}\n",
       "settings.json",
       {}},
  };
}

}  // namespace xiaoan::sig::samples
