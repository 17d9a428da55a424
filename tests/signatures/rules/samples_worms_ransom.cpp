// Samples: EICAR, USB worms, ransom notes.
#include <string>
#include <vector>

#include "tests/signatures/rules/samples.h"

namespace xiaoan::sig::samples {
namespace {

using namespace std::literals;

std::vector<Sample> eicarSamples() {
  const std::string e = eicar();
  const std::string rule = "EICAR_Test_File";
  return {
      {"eicar: exactly the 68 bytes", e, "eicar.com", {rule}},
      {"eicar: CRLF after it", e + "\r\n", "eicar.com.txt", {rule}},
      {"eicar: every allowed whitespace up to 128 bytes",
       e + " \t\r\n\x1A" + std::string(55, ' '),
       "eicar.txt",
       {rule}},
      {"eicar: 129 bytes", e + std::string(61, ' '), "eicar.txt", {}},
      {"eicar: not at the start", " " + e, "eicar.txt", {}},
      {"eicar: followed by text", e + " hello", "eicar.txt", {}},
      {"eicar: truncated by one byte", e.substr(0, 67), "eicar.txt", {}},
      {"eicar: quoted inside a document",
       "The test string is " + e + " (see eicar.org).\n",
       "notes.txt",
       {}},
  };
}

std::vector<Sample> autorunSamples() {
  const std::string script = "Autorun_Inf_Script_Launcher";
  const std::string hidden = "Autorun_Inf_Hidden_Folder_Payload";
  const std::string disguised = "Autorun_Inf_Disguised_Launcher";
  const std::string sec = cat({"[Auto", "Run]\r\n"});
  return {
      {"autorun: open= a VBScript through wscript",
       sec + "open=wscript.exe //B photo.vbs\r\n",
       "autorun.inf",
       {script}},
      {"autorun: junk before the section, shellexecute= cmd /c",
       cat({";kxjfhsd\r\n;qpwoei\r\n", sec, "shellexecute=cmd /c start x.bat\r\n"}),
       "autorun.inf",
       {script}},
      {"autorun: payload inside RECYCLER",
       cat({sec, "open=RECYCLER\\S-1-5-21-1000\\svch.exe\r\n"}),
       "autorun.inf",
       {hidden}},
      {"autorun: Conficker-like, rundll32 from RECYCLER with a folder disguise",
       cat({sec, "action=Open folder to view files\r\n",
            "icon=%SystemRoot%\\system32\\SHELL32.dll,4\r\n",
            "shell\\open\\command=rundll32.exe .\\RECYCLER\\S-5-3-42\\jw.vmx,ahaez\r\n"}),
       "autorun.inf",
       {script, hidden, disguised}},
      {"autorun: folder icon and Explore verb replaced",
       cat({sec, "open=Photos.exe\r\nicon=%SystemRoot%\\system32\\shell32.dll,4\r\n",
            "shell\\explore\\command=Photos.exe\r\n"}),
       "autorun.inf",
       {disguised}},
      {"autorun: Chinese 'open folder' action",
       cat({sec, "open=x.exe\r\naction=", "打开文件夹以查看文件\r\n"}),
       "autorun.inf",
       {disguised}},
      {"autorun: a normal installation CD",
       cat({sec, "open=setup.exe\r\nicon=setup.exe,0\r\nlabel=Math Class 2024\r\n",
            "action=Install Math Class\r\nshell\\install=&Install\r\n",
            "shell\\install\\command=setup.exe /install\r\n"}),
       "autorun.inf",
       {}},
      {"autorun: a text about worms without an autorun section",
       "Worms write open=wscript.exe x.vbs into autorun.inf and hide in RECYCLER\\ folders.\n",
       "lesson.txt",
       {}},
  };
}

std::vector<Sample> lnkSamples() {
  const std::string worm = "Lnk_Usb_Shortcut_Worm";
  const std::string enc = "Lnk_Encoded_Script_Launcher";
  const std::string rd = "Lnk_Rundll32_Non_Dll_Payload";
  const std::string cmd = "C:\\Windows\\System32\\cmd.exe";
  return {
      {"lnk: cmd starts a script, then the real folder",
       lnk(cmd, cat({"/c start wscript.exe ~$u.vbs & start ", "explorer \"Homework\" & exit"})),
       "Homework.lnk",
       {worm}},
      {"lnk: cmd starts an encoded script, then the folder",
       lnk(cmd, cat({"/c start wscript /e:VBScript.", "Encode ~$u.dat & start explorer Photos"})),
       "Photos.lnk",
       {worm, enc}},
      {"lnk: cmd starts rundll32 on a .FAT32 file, then the folder",
       lnk(cmd, cat({"/c start rundll32 ~$WQ.FAT32", ",_ldr@16 & start explorer Music"})),
       "Music.lnk",
       {worm, rd}},
      {"lnk: wscript on an encoded script",
       lnk("C:\\Windows\\System32\\wscript.exe", "//e:jscript.encode x.txt"),
       "Docs.lnk",
       {enc}},
      {"lnk: rundll32 on a hidden non-DLL file",
       lnk("C:\\Windows\\System32\\rundll32.exe", cat({"~$WQ.FAT32,_ldr", "@16 desktop.ini RET"})),
       "Videos.lnk",
       {rd}},
      {"lnk: the Command Prompt shortcut", lnk(cmd, ""), "Command Prompt.lnk", {}},
      {"lnk: a Control Panel shortcut through rundll32",
       lnk("C:\\Windows\\System32\\rundll32.exe", "shell32.dll,Control_RunDLL desk.cpl"),
       "Display.lnk",
       {}},
      {"lnk: the school's logon script",
       lnk("C:\\Windows\\System32\\wscript.exe", "\\\\srv\\netlogon\\map.vbs"),
       "Map drives.lnk",
       {}},
      {"lnk: cmd opening a drive in Explorer", lnk(cmd, "/c start explorer D:\\"), "D.lnk", {}},
      {"text: the worm's command line outside a shortcut",
       cat({"cmd.exe /c start wscript /e:VBScript.", "Encode x.dat & start explorer Photos\n"}),
       "notes.txt",
       {}},
  };
}

std::vector<Sample> scriptWormSamples() {
  const std::string sw = "Script_Usb_Shortcut_Worm";
  return {
      {"script: the steps of a shortcut-worm dropper (inert word list)",
       cat({"' Scripting.FileSystem", "Object .Drives DriveType = 1 .CopyFile ScriptFull",
            "Name CreateShort", "cut .TargetPath .Attributes = 2\r\n"}),
       "u.vbs",
       {sw}},
      {"script: JScript spelling, UTF-16LE",
       utf16(cat({"// scripting.filesystem", "object e.drives drivetype == 1 wscript.scriptfull",
                  "name createshort", "cut .targetpath attrib +h +s\r\n"})),
       "u.js",
       {sw}},
      {"script: Houdini-style command words (inert)",
       cat({"usbspread", "ing = true\r\n' enum-driver cmd-shell site-", "send is-ready\r\n"}),
       "h.vbs",
       {"VBS_Hworm_Usb_Rat"}},
      {"script: a logon script that puts a shortcut on the desktop",
       cat({"Set fso = CreateObject(\"Scripting.FileSystem", "Object\")\r\n",
            "fso.CopyFile \"\\\\srv\\share\\tpl.docx\", \"C:\\Users\\Public\\\"\r\n",
            "Set l = sh.CreateShort",
            "cut(desk & \"\\Grades.lnk\")\r\nl.TargetPath = \"X:\\\"\r\n"}),
       "logon.vbs",
       {}},
      {"script: notes naming two Houdini commands",
       "cmd-shell and is-ready are words.\n",
       "notes.txt",
       {}},
  };
}

}  // namespace

std::vector<Sample> eicarAndWormSamples() {
  std::vector<Sample> out = eicarSamples();
  for (auto* part : {autorunSamples, lnkSamples, scriptWormSamples}) {
    for (auto& s : part()) out.push_back(std::move(s));
  }
  return out;
}

namespace {

std::string englishNote() {
  return cat({"!!! ALL YOUR FILES ARE ", "ENCRYPTED !!!\r\n",
              "All your documents, photos and databases have been ", "encrypted.\r\n",
              "Your personal ", "ID: 7F3A-TEST-0000\r\n",
              "To get the decryption tool send $300 in bit", "coin to the address below.\r\n",
              "Install Tor Brow", "ser and open examplexampleexamplx.oni", "on\r\n",
              "Do not rename ", "encrypted files.\r\n"});
}

std::string chineseNote() {
  return cat({"您的文件已", "被加密！\n如需解密，请支付价值300美元的比特币。\n",
              "您的ID：TEST-0001\n", "请在72小时内联系我们：decrypt@example.com\n",
              "不要尝试使用第三方软件恢复文件。\n"});
}

}  // namespace

std::vector<Sample> ransomwareSamples() {
  const std::string en = "Ransom_Note_English";
  const std::string zh = "Ransom_Note_Chinese";
  const std::string named = "Ransom_Note_Known_Filename";
  return {
      {"note: English", englishNote(), "README.txt", {en}},
      {"note: English, UTF-16LE HTML",
       utf16("<html><body><pre>" + englishNote()),
       "HOW.html",
       {en}},
      {"note: Chinese, UTF-8", chineseNote(), "解密说明.txt", {zh}},
      {"note: Chinese, GBK", encode("GBK", chineseNote()), "read.txt", {zh}},
      {"note: Chinese, UTF-16LE", "\xFF\xFE" + utf16(chineseNote()), "read.txt", {zh}},
      {"note: a STOP/Djvu-named note with a contact only",
       cat({"Your files are en", "crypted. Write to restorehelp@proton", "mail.com\r\n"}),
       "_readme.txt",
       {named}},
      {"note: English note under a WannaCry note name",
       englishNote(),
       "@Please_Read_Me@.txt",
       {en, named}},
      {"text: an English lesson about ransomware",
       cat({"Ransomware is malicious software. Its note typically claims that your files have "
            "been ",
            "encrypted and demands payment in bit", "coin. Do not pay: restore from backups and ",
            "report it to the IT office.\n"}),
       "lesson.txt",
       {}},
      {"text: a Chinese school notice about ransomware",
       cat({"勒索病毒会加密电脑上的文件，并显示“您的文件已",
            "被加密”的提示，要求用比特币支付赎金。", "请不要支付赎金，及时断网并联系信息中心。\n"}),
       "通知.txt",
       {}},
      {"text: a file-screen list of ransomware extensions and note names",
       "*.locky\n*.cerber\n*.wncry\n*.crypt\n*.encrypted\n_readme.txt\nHOW_TO_DECRYPT.txt\n"
       "@Please_Read_Me@.txt\nbitcoin\n",
       "ransomware_extensions.txt",
       {}},
      {"text: a program's _readme.txt",
       "Thank you for installing. Files are compressed.\n",
       "_readme.txt",
       {}},
  };
}

}  // namespace xiaoan::sig::samples
