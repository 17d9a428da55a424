// Ransom notes. A note is what ransomware leaves in every folder it encrypted; finding one
// means files on this PC (or on a share it writes to) are already encrypted, so these rules are
// about raising the alarm fast. They look for the claim of encrypted files together with
// a payment channel and the instructions only a real note gives (an id, a deadline, warnings, a
// contact), so that an article or a lesson about ransomware, which quotes the claim and
// mentions crypto-currency, is not a detection. Lists of "ransomware extensions" (file-screen lists,
// backup software settings) are not detected at all: an extension name is no evidence.
//
// Distinctive literals carry one \x escape (and the Chinese ones are hex) so that this file
// does not match its own rules.

rule Ransom_Note_English : ransomware note
{
    meta:
        author = "xiaoan"
        description = "English ransom note: claims the victim's files are encrypted, names a crypto-currency or Tor payment channel and gives at least two kinds of victim instructions (an id, how to pay, a deadline, warnings, a contact)"
        severity = "critical"
        category = "ransomware"

    strings:
        $claim1 = /(files|documents|photos|databases|data)[^\r\n]{0,80}(have|has) been (encrypte\x64|locked)/ nocase ascii wide
        $claim2 = /(files|documents|data) (are|were) (encrypte\x64|locked)/ nocase ascii wide

        $pay1 = "bitcoi\x6e" nocase ascii wide
        $pay2 = "BT\x43" fullword ascii wide
        $pay3 = "moner\x6f" nocase ascii wide
        $pay4 = /[a-z2-7]{16,56}\.onio\x6e/ nocase ascii wide
        $pay5 = "tor browse\x72" nocase ascii wide

        $i_id1 = "personal i\x64" nocase ascii wide
        $i_id2 = "your id\x3a" nocase ascii wide
        $i_id3 = "unique i\x64" nocase ascii wide
        $i_id4 = "personal ke\x79" nocase ascii wide
        $i_pay = /(send|pay|transfer)[^\r\n]{0,60}(bitcoi\x6e|btc|moner\x6f|xmr|\$ ?[0-9])/ nocase ascii wide
        $i_deadline1 = /within (24|48|72|96) hour\x73/ nocase ascii wide
        $i_deadline2 = "price will be double\x64" nocase ascii wide
        $i_deadline3 = "price will doubl\x65" nocase ascii wide
        $i_warn1 = /(do not|don't|dont) (rename|modify|change) (the )?(encrypted )?file\x73/ nocase ascii wide
        $i_warn2 = /(do not|don't|dont) try to (decrypt|recover|restore)/ nocase ascii wide
        $i_warn3 = "third-party softwar\x65" nocase ascii wide
        $i_warn4 = "third party softwar\x65" nocase ascii wide
        $i_contact1 = /(contact|write to|e-?mail) us[^\r\n]{0,80}@[a-z0-9-]{2,40}\.[a-z]{2,6}/ nocase ascii wide
        $i_contact2 = /@(protonmail|tutanota|onionmail|cock|airmail|firemail)\.(com|li|org|cc|ch|de)/ nocase ascii wide

    condition:
        filesize < 512KB and any of ($claim*) and any of ($pay*) and 2 of ($i_*)
}

rule Ransom_Note_Chinese : ransomware note
{
    meta:
        author = "xiaoan"
        description = "Chinese ransom note (UTF-8, GBK or UTF-16LE): claims the victim's files are encrypted, names a ransom or crypto-currency payment and gives at least two kinds of victim instructions (an id, a decryption tool, a contact, a deadline, warnings)"
        severity = "critical"
        category = "ransomware"

    strings:
        // 文 件 已 被 加 密
        $zc1_u8 = { E6 96 87 E4 BB B6 E5 B7 B2 E8 A2 AB E5 8A A0 E5 AF 86 }
        $zc1_gbk = { CE C4 BC FE D2 D1 B1 BB BC D3 C3 DC }
        $zc1_u16 = { 87 65 F6 4E F2 5D AB 88 A0 52 C6 5B }
        // 文 件 已 经 被 加 密
        $zc2_u8 = { E6 96 87 E4 BB B6 E5 B7 B2 E7 BB 8F E8 A2 AB E5 8A A0 E5 AF 86 }
        $zc2_gbk = { CE C4 BC FE D2 D1 BE AD B1 BB BC D3 C3 DC }
        $zc2_u16 = { 87 65 F6 4E F2 5D CF 7E AB 88 A0 52 C6 5B }
        // 文 件 都 已 被 加 密
        $zc3_u8 = { E6 96 87 E4 BB B6 E9 83 BD E5 B7 B2 E8 A2 AB E5 8A A0 E5 AF 86 }
        $zc3_gbk = { CE C4 BC FE B6 BC D2 D1 B1 BB BC D3 C3 DC }
        $zc3_u16 = { 87 65 F6 4E FD 90 F2 5D AB 88 A0 52 C6 5B }
        // 文 件 都 被 加 密
        $zc4_u8 = { E6 96 87 E4 BB B6 E9 83 BD E8 A2 AB E5 8A A0 E5 AF 86 }
        $zc4_gbk = { CE C4 BC FE B6 BC B1 BB BC D3 C3 DC }
        $zc4_u16 = { 87 65 F6 4E FD 90 AB 88 A0 52 C6 5B }
        // 比 特 币
        $zp1_u8 = { E6 AF 94 E7 89 B9 E5 B8 81 }
        $zp1_gbk = { B1 C8 CC D8 B1 D2 }
        $zp1_u16 = { D4 6B 79 72 01 5E }
        // 赎 金
        $zp2_u8 = { E8 B5 8E E9 87 91 }
        $zp2_gbk = { CA EA BD F0 }
        $zp2_u16 = { 4E 8D D1 91 }
        // 解 密 工 具
        $zi_tool1_u8 = { E8 A7 A3 E5 AF 86 E5 B7 A5 E5 85 B7 }
        $zi_tool1_gbk = { BD E2 C3 DC B9 A4 BE DF }
        $zi_tool1_u16 = { E3 89 C6 5B E5 5D 77 51 }
        // 解 密 软 件
        $zi_tool2_u8 = { E8 A7 A3 E5 AF 86 E8 BD AF E4 BB B6 }
        $zi_tool2_gbk = { BD E2 C3 DC C8 ED BC FE }
        $zi_tool2_u16 = { E3 89 C6 5B 6F 8F F6 4E }
        // 联 系 我 们
        $zi_contact1_u8 = { E8 81 94 E7 B3 BB E6 88 91 E4 BB AC }
        $zi_contact1_gbk = { C1 AA CF B5 CE D2 C3 C7 }
        $zi_contact1_u16 = { 54 80 FB 7C 11 62 EC 4E }
        // 联 系 邮 箱
        $zi_contact2_u8 = { E8 81 94 E7 B3 BB E9 82 AE E7 AE B1 }
        $zi_contact2_gbk = { C1 AA CF B5 D3 CA CF E4 }
        $zi_contact2_u16 = { 54 80 FB 7C AE 90 B1 7B }
        // 不 要 尝 试
        $zi_warn1_u8 = { E4 B8 8D E8 A6 81 E5 B0 9D E8 AF 95 }
        $zi_warn1_gbk = { B2 BB D2 AA B3 A2 CA D4 }
        $zi_warn1_u16 = { 0D 4E 81 89 1D 5C D5 8B }
        // 不 要 重 命 名
        $zi_warn2_u8 = { E4 B8 8D E8 A6 81 E9 87 8D E5 91 BD E5 90 8D }
        $zi_warn2_gbk = { B2 BB D2 AA D6 D8 C3 FC C3 FB }
        $zi_warn2_u16 = { 0D 4E 81 89 CD 91 7D 54 0D 54 }
        // 小 时 内
        $zi_deadline_u8 = { E5 B0 8F E6 97 B6 E5 86 85 }
        $zi_deadline_gbk = { D0 A1 CA B1 C4 DA }
        $zi_deadline_u16 = { 0F 5C F6 65 85 51 }
        // 识 别 码
        $zi_id1_u8 = { E8 AF 86 E5 88 AB E7 A0 81 }
        $zi_id1_gbk = { CA B6 B1 F0 C2 EB }
        $zi_id1_u16 = { C6 8B 2B 52 01 78 }
        // 个 人 I D
        $zi_id2_u8 = { E4 B8 AA E4 BA BA 49 44 }
        $zi_id2_gbk = { B8 F6 C8 CB 49 44 }
        $zi_id2_u16 = { 2A 4E BA 4E 49 00 44 00 }
        // 您 的 I D
        $zi_id3_u8 = { E6 82 A8 E7 9A 84 49 44 }
        $zi_id3_gbk = { C4 FA B5 C4 49 44 }
        $zi_id3_u16 = { A8 60 84 76 49 00 44 00 }
        // 你 的 I D
        $zi_id4_u8 = { E4 BD A0 E7 9A 84 49 44 }
        $zi_id4_gbk = { C4 E3 B5 C4 49 44 }
        $zi_id4_u16 = { 60 4F 84 76 49 00 44 00 }
        $zp_btc = "bitcoi\x6e" nocase ascii wide
        $zp_btc2 = "BT\x43" fullword ascii wide
        $zp_onion = /[a-z2-7]{16,56}\.onio\x6e/ nocase ascii wide

    condition:
        filesize < 512KB and any of ($zc*) and any of ($zp*) and 2 of ($zi_*)
}

rule Ransom_Note_Known_Filename : ransomware note
{
    meta:
        author = "xiaoan"
        description = "A file named like the notes of well-known ransomware families (WannaCry, STOP/Djvu, GandCrab, Ryuk, LockBit, Maze, Cerber, Locky, GlobeImposter, CryptoWall...) that talks about encryption and a payment channel"
        severity = "high"
        category = "ransomware"

    strings:
        $enc1 = "encrypte\x64" nocase ascii wide
        // 加 密
        $enc_zh_u8 = { E5 8A A0 E5 AF 86 }
        $enc_zh_gbk = { BC D3 C3 DC }
        $enc_zh_u16 = { A0 52 C6 5B }
        $pay1 = "bitcoi\x6e" nocase ascii wide
        $pay2 = "BT\x43" fullword ascii wide
        $pay3 = "moner\x6f" nocase ascii wide
        $pay4 = /[a-z2-7]{16,56}\.onio\x6e/ nocase ascii wide
        $pay5 = "tor browse\x72" nocase ascii wide
        $pay6 = /@(protonmail|tutanota|onionmail|cock|airmail|firemail)\.(com|li|org|cc|ch|de)/ nocase ascii wide
        // 比 特 币
        $pay_zh1_u8 = { E6 AF 94 E7 89 B9 E5 B8 81 }
        $pay_zh1_gbk = { B1 C8 CC D8 B1 D2 }
        $pay_zh1_u16 = { D4 6B 79 72 01 5E }
        // 赎 金
        $pay_zh2_u8 = { E8 B5 8E E9 87 91 }
        $pay_zh2_gbk = { CA EA BD F0 }
        $pay_zh2_u16 = { 4E 8D D1 91 }

    condition:
        filesize < 64KB and
        filename matches /^(@please_read_me@\.txt|@wanadecryptor@\.(exe|bmp)|_readme\.txt|(gdcb|krab)-decrypt\.(txt|html)|ryukreadme\.(txt|html)|restore-my-files\.txt|decrypt-files\.(txt|html)|# decrypt my files #\.(txt|html|vbs)|_locky_recover_instructions\.txt|_help_instructions\.html|help_decrypt\.(txt|html|png|url)|decrypt_instructions?\.(txt|html)|how_to_back_files\.html|how_to_decrypt(_files)?\.(txt|html|hta)|readme_for_decrypt\.txt|!!!read_me!!!\.txt|info\.hta|files encrypted\.txt)$/is and
        any of ($enc*) and any of ($pay*)
}
