// Worms that spread through USB drives, the most common infection on shared school PCs:
// autorun.inf launchers, shortcut (.lnk) worms that hide the real folders and put look-alike
// shortcuts in their place, and the VBScript/JScript droppers behind them.
//
// Distinctive literals carry one \x escape so that this file does not match its own rules
// (the agent scans the directory the rules are installed in like any other).

rule Autorun_Inf_Script_Launcher : worm usb autorun
{
    meta:
        author = "xiaoan"
        description = "autorun.inf whose open/shellexecute/shell command starts a script host, cmd /c or a script file: how USB worms run when a drive is opened; installation CDs start setup programs"
        severity = "high"
        category = "worm"

    strings:
        $section = "[autorun\x5d" nocase
        $launch = /(open|shellexecute|\\command)[ \t]*=[^\r\n]{0,200}(wscript|cscript|mshta|rundll32|regsvr32|powershell|cmd(\.exe)?[ \t]+\/[ck]|\.(vbs|vbe|js|jse|wsf|wsh|hta|bat|cmd|ps1)\b)/ nocase

    condition:
        filesize < 128KB and $section and $launch
}

rule Autorun_Inf_Hidden_Folder_Payload : worm usb autorun
{
    meta:
        author = "xiaoan"
        description = "autorun.inf that starts a program from RECYCLER, $Recycle.Bin or System Volume Information on the drive, folders worms hide their copies in"
        severity = "high"
        category = "worm"

    strings:
        $section = "[autorun\x5d" nocase
        $launch = /(open|shellexecute|\\command)[ \t]*=[^\r\n]{0,200}(recycler|recycled|\$recycle\.bin|system volume information)\\/ nocase

    condition:
        filesize < 128KB and $section and $launch
}

rule Autorun_Inf_Disguised_Launcher : worm usb autorun
{
    meta:
        author = "xiaoan"
        description = "autorun.inf that starts a program and disguises it as opening the folder (folder icon, 'Open folder to view files' action, or a replaced Explore verb)"
        severity = "medium"
        category = "worm"

    strings:
        $section = "[autorun\x5d" nocase
        $launch = /(^|[\r\n])[ \t]*(open|shellexecute|shell\\[a-z0-9_ ]{1,32}\\command)[ \t]*=/ nocase
        $explore = /shell\\explore\\comman\x64[ \t]*=/ nocase
        $folder_icon = /icon[ \t]*=[^\r\n]{0,80}shell32\.dll,[ \t]*[34]\b/ nocase
        $action_en = /action[ \t]*=[^\r\n]{0,40}open folder to view/ nocase
        $action_zh = { 61 63 74 69 6F 6E [0-4] 3D [0-40] E6 89 93 E5 BC 80 E6 96 87 E4 BB B6 E5 A4 B9 }

    condition:
        filesize < 128KB and $section and $launch and
        ($explore or $folder_icon or $action_en or $action_zh)
}

rule Lnk_Usb_Shortcut_Worm : worm usb lnk
{
    meta:
        author = "xiaoan"
        description = "Windows shortcut that runs cmd to start a script host or rundll32 and then opens a folder in Explorer: the look-alike folder shortcuts USB shortcut worms leave on a drive"
        severity = "high"
        category = "worm"

    strings:
        $cmd1 = "cmd.ex\x65" ascii wide nocase
        $cmd2 = "%comspec\x25" ascii wide nocase
        $explorer1 = "start explor\x65r" ascii wide nocase
        $explorer2 = "explorer.ex\x65 " ascii wide nocase
        $host1 = "wscrip\x74" ascii wide nocase
        $host2 = "cscrip\x74" ascii wide nocase
        $host3 = "rundll3\x32" ascii wide nocase
        $host4 = "regsvr3\x32" ascii wide nocase
        $host5 = "msht\x61" ascii wide nocase

    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and filesize < 64KB and
        any of ($cmd*) and any of ($explorer*) and any of ($host*)
}

rule Lnk_Encoded_Script_Launcher : worm usb lnk
{
    meta:
        author = "xiaoan"
        description = "Windows shortcut that runs wscript/cscript on an encoded script (/e:VBScript.Encode, .vbe, .jse), a trick of USB shortcut worms to hide their payload"
        severity = "high"
        category = "worm"

    strings:
        $host1 = "wscrip\x74" ascii wide nocase
        $host2 = "cscrip\x74" ascii wide nocase
        $enc1 = "e:vbscript.encod\x65" ascii wide nocase
        $enc2 = "e:jscript.encod\x65" ascii wide nocase
        $enc3 = ".vb\x65" ascii wide nocase
        $enc4 = ".js\x65" ascii wide nocase

    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and filesize < 64KB and
        any of ($host*) and any of ($enc*)
}

rule Lnk_Rundll32_Non_Dll_Payload : worm usb lnk
{
    meta:
        author = "xiaoan"
        description = "Windows shortcut that runs rundll32 on a file that does not look like a DLL (e.g. ~$WQ.FAT32,_ldr@16 or x.dat,Start), as Gamarue/Andromeda-style USB worms do"
        severity = "high"
        category = "worm"

    strings:
        $rundll = "rundll3\x32" ascii wide nocase
        $entry = /\.(fat32|dat|tmp|ini|db|bin|log|jpg|png|gif|txt|dmp)[ \t]*,[ \t]*[a-z_#@]/ ascii wide nocase

    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and filesize < 64KB and
        $rundll and $entry
}

rule Script_Usb_Shortcut_Worm : worm usb script
{
    meta:
        author = "xiaoan"
        description = "VBScript/JScript that walks the drives, copies itself to removable ones, hides files and creates shortcuts: the dropper of USB shortcut worms"
        severity = "high"
        category = "worm"

    strings:
        $fso = "Scripting.FileSystemObjec\x74" ascii wide nocase
        $drives = ".Drive\x73" ascii wide nocase
        $drivetype = "DriveTyp\x65" ascii wide nocase
        $shortcut = "CreateShortcu\x74" ascii wide nocase
        $target = ".TargetPat\x68" ascii wide nocase
        $hide1 = ".Attribute\x73" ascii wide nocase
        $hide2 = "attrib \x2b" ascii wide nocase
        $self1 = "ScriptFullNam\x65" ascii wide nocase
        $self2 = ".CopyFil\x65" ascii wide nocase

    condition:
        filesize < 512KB and $fso and $drives and $drivetype and $shortcut and $target and
        any of ($hide*) and any of ($self*)
}

rule VBS_Hworm_Usb_Rat : worm usb rat script
{
    meta:
        author = "xiaoan"
        description = "H-worm (Houdini) style VBScript remote-access worm: its USB spreading switch together with several of its remote command names"
        severity = "high"
        category = "worm"

    strings:
        $usb = "usbspreadin\x67" ascii wide nocase
        $c1 = "enum-drive\x72" ascii wide nocase
        $c2 = "enum-proces\x73" ascii wide nocase
        $c3 = "cmd-shel\x6c" ascii wide nocase
        $c4 = "site-sen\x64" ascii wide nocase
        $c5 = "exit-proces\x73" ascii wide nocase
        $c6 = "is-read\x79" ascii wide nocase

    condition:
        filesize < 512KB and $usb and 3 of ($c*)
}
