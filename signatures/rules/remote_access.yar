// Remote-control tools. Legitimate remote-desktop products (TeamViewer, AnyDesk, Sunlogin,
// ToDesk, RustDesk, Radmin, Ammyy Admin) are a policy matter on school PCs: students install
// them to reach lab PCs from home or to let someone else sit the test, and scammers talk
// teachers into installing them. They are "pua" (potentially unwanted): severity low, meant to
// be reported, not quarantined. They are recognised by the product or company name in the
// program's version information (VS_VERSIONINFO, UTF-16 key, NUL, alignment padding, value),
// not by a mention of the name, so an uninstaller or a document naming them is no detection.
// VNC servers and classroom-management software are left out on purpose: schools run them.
//
// Remote-access trojans (njRAT, DarkComet, Quasar, Remcos) are malware: severity high.
// Distinctive literals carry one \x escape so that this file does not match its own rules.

rule PUA_RemoteAdmin_TeamViewer : pua remote_admin
{
    meta:
        author = "xiaoan"
        description = "TeamViewer remote-control software: its name in the program's version information"
        severity = "low"
        category = "pua"

    strings:
        // ProductName = T e a m V i e w e r
        $v1 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 54 00 65 00 61 00 6D 00 56 00 69 00 65 00 77 00 65 00 72 00 }
        // CompanyName = T e a m V i e w e r
        $v2 = { 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 54 00 65 00 61 00 6D 00 56 00 69 00 65 00 77 00 65 00 72 00 }

    condition:
        uint16(0) == 0x5A4D and filesize < 128MB and any of them
}

rule PUA_RemoteAdmin_AnyDesk : pua remote_admin
{
    meta:
        author = "xiaoan"
        description = "AnyDesk remote-control software: its name in the program's version information"
        severity = "low"
        category = "pua"

    strings:
        // ProductName = A n y D e s k
        $v1 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 41 00 6E 00 79 00 44 00 65 00 73 00 6B 00 }
        // CompanyName = A n y D e s k   S o f t w a r e
        $v2 = { 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 41 00 6E 00 79 00 44 00 65 00 73 00 6B 00 20 00 53 00 6F 00 66 00 74 00 77 00 61 00 72 00 65 00 }
        // CompanyName = p h i l a n d r o   S o f t w a r e
        $v3 = { 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 70 00 68 00 69 00 6C 00 61 00 6E 00 64 00 72 00 6F 00 20 00 53 00 6F 00 66 00 74 00 77 00 61 00 72 00 65 00 }

    condition:
        uint16(0) == 0x5A4D and filesize < 128MB and any of them
}

rule PUA_RemoteAdmin_Sunlogin : pua remote_admin
{
    meta:
        author = "xiaoan"
        description = "Oray Sunlogin (向日葵) remote-control software: its name in the program's version information"
        severity = "low"
        category = "pua"

    strings:
        // ProductName = S u n l o g i n
        $v1 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 53 00 75 00 6E 00 6C 00 6F 00 67 00 69 00 6E 00 }
        // ProductName = 向 日 葵
        $v2 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 11 54 E5 65 75 84 }
        // CompanyName = O r a y
        $v3 = { 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 4F 00 72 00 61 00 79 00 }
        // CompanyName = 上 海 贝 锐
        $v4 = { 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 0A 4E 77 6D 1D 8D 10 95 }

    condition:
        uint16(0) == 0x5A4D and filesize < 128MB and any of them
}

rule PUA_RemoteAdmin_ToDesk : pua remote_admin
{
    meta:
        author = "xiaoan"
        description = "ToDesk remote-control software: its name in the program's version information"
        severity = "low"
        category = "pua"

    strings:
        // ProductName = T o D e s k
        $v1 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 54 00 6F 00 44 00 65 00 73 00 6B 00 }

    condition:
        uint16(0) == 0x5A4D and filesize < 128MB and any of them
}

rule PUA_RemoteAdmin_RustDesk : pua remote_admin
{
    meta:
        author = "xiaoan"
        description = "RustDesk remote-control software: its name in the program's version information"
        severity = "low"
        category = "pua"

    strings:
        // ProductName = R u s t D e s k
        $v1 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 52 00 75 00 73 00 74 00 44 00 65 00 73 00 6B 00 }

    condition:
        uint16(0) == 0x5A4D and filesize < 128MB and any of them
}

rule PUA_RemoteAdmin_Radmin : pua remote_admin
{
    meta:
        author = "xiaoan"
        description = "Radmin (Famatech) remote-control software: its name in the program's version information"
        severity = "low"
        category = "pua"

    strings:
        // ProductName = R a d m i n
        $v1 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 52 00 61 00 64 00 6D 00 69 00 6E 00 }
        // CompanyName = F a m a t e c h
        $v2 = { 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 46 00 61 00 6D 00 61 00 74 00 65 00 63 00 68 00 }

    condition:
        uint16(0) == 0x5A4D and filesize < 128MB and any of them
}

rule PUA_RemoteAdmin_AmmyyAdmin : pua remote_admin
{
    meta:
        author = "xiaoan"
        description = "Ammyy Admin remote-control software: its name in the program's version information"
        severity = "low"
        category = "pua"

    strings:
        // ProductName = A m m y y   A d m i n
        $v1 = { 50 00 72 00 6F 00 64 00 75 00 63 00 74 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 41 00 6D 00 6D 00 79 00 79 00 20 00 41 00 64 00 6D 00 69 00 6E 00 }
        // CompanyName = A m m y y
        $v2 = { 43 00 6F 00 6D 00 70 00 61 00 6E 00 79 00 4E 00 61 00 6D 00 65 00 00 00 [0-2] 41 00 6D 00 6D 00 79 00 79 00 }

    condition:
        uint16(0) == 0x5A4D and filesize < 128MB and any of them
}

rule RAT_njRAT : rat trojan
{
    meta:
        author = "xiaoan"
        description = "njRAT (Bladabindi) remote-access trojan: its |'|'| message separator with its firewall exception, zone-check or self-delete commands"
        severity = "high"
        category = "rat"

    strings:
        $sep = "|'|'\x7c" wide ascii
        $fw = "netsh firewall add allowedprogra\x6d" wide ascii nocase
        $zone = "SEE_MASK_NOZONECHECK\x53" wide ascii
        $del = "/c ping 0 -n 2 & de\x6c" wide ascii nocase

    condition:
        uint16(0) == 0x5A4D and filesize < 8MB and $sep and any of ($fw, $zone, $del)
}

rule RAT_DarkComet : rat trojan
{
    meta:
        author = "xiaoan"
        description = "DarkComet remote-access trojan: its DC_MUTEX mutex prefix with its #BOT# commands or configuration markers"
        severity = "high"
        category = "rat"

    strings:
        $mutex = "DC_MUTEX\x2d" wide ascii
        $bot = "#BOT#\x55" wide ascii
        $cfg1 = "#KCMDD\x43" wide ascii
        $cfg2 = "DCDAT\x41" wide ascii

    condition:
        uint16(0) == 0x5A4D and filesize < 8MB and $mutex and any of ($bot, $cfg1, $cfg2)
}

rule RAT_Quasar : rat trojan
{
    meta:
        author = "xiaoan"
        description = "Quasar RAT (and its older xRAT name) .NET remote-access trojan: client and shared-protocol namespaces"
        severity = "high"
        category = "rat"

    strings:
        $new1 = "Quasar.Clien\x74" wide ascii
        $new2 = "Quasar.Commo\x6e" wide ascii
        $old1 = "xClient.Cor\x65" wide ascii
        $old2 = "xClient.Confi\x67" wide ascii

    condition:
        uint16(0) == 0x5A4D and filesize < 8MB and (($new1 and $new2) or ($old1 and $old2))
}

rule RAT_Remcos : rat trojan
{
    meta:
        author = "xiaoan"
        description = "Remcos remote-access trojan: its injection mutex, or its vendor's site together with its name"
        severity = "high"
        category = "rat"

    strings:
        $mutex = "Remcos_Mutex_In\x6a" wide ascii
        $vendor = "Breaking-Security.Ne\x74" wide ascii nocase
        $name = "Remco\x73" wide ascii

    condition:
        uint16(0) == 0x5A4D and filesize < 8MB and ($mutex or ($vendor and $name))
}
