// Crypto-currency miners: school PCs are many, on for hours and rarely watched, which makes
// them a favourite target. A miner needs a pool to work for, so the rules look for a pool
// configuration (stratum URL with miner options, an XMRig config file) or for a miner binary
// that carries the mining protocol. Documentation about miners (a README without a pool
// configuration) is not a detection.
//
// Distinctive literals carry one \x escape so that this file does not match its own rules.

rule CoinMiner_Stratum_Command_Line : coinminer miner
{
    meta:
        author = "xiaoan"
        description = "Script or shortcut that starts a miner: a stratum pool URL together with the options or the name of a known miner (XMRig, cpuminer/minerd, ccminer, xmr-stak, ...)"
        severity = "high"
        category = "coinminer"

    strings:
        $pool = /stratum2?\+(tcp|ssl|tls)\x3a\/\// nocase ascii wide
        $opt1 = /(^|[ \t"'])(-o|--url)[ =][ \t]*["']?stratu\x6d/ nocase ascii wide
        $opt2 = "--donate-leve\x6c" nocase ascii wide
        $opt3 = /(^|[ \t])(-u|--user)[ =][ \t]*["']?[a-z0-9]{20,}/ nocase ascii wide
        $name1 = "xmri\x67" nocase ascii wide
        $name2 = "cpumine\x72" nocase ascii wide
        $name3 = "mine\x72d" nocase ascii wide fullword
        $name4 = "ccmine\x72" nocase ascii wide
        $name5 = "xmr-sta\x6b" nocase ascii wide
        $name6 = "nanomine\x72" nocase ascii wide

    condition:
        filesize < 1MB and $pool and any of ($opt*) and (any of ($name*) or 2 of ($opt*))
}

rule CoinMiner_Xmrig_Config : coinminer miner
{
    meta:
        author = "xiaoan"
        description = "XMRig configuration file (config.json): the donation setting with a list of pools, each with url and user"
        severity = "high"
        category = "coinminer"

    strings:
        $donate = /"donate-leve\x6c"[ \t\r\n]*:/ nocase
        $pools = /"pool\x73"[ \t\r\n]*:[ \t\r\n]*\[/ nocase
        $url = /"ur\x6c"[ \t\r\n]*:[ \t\r\n]*"/ nocase
        $user = /"use\x72"[ \t\r\n]*:[ \t\r\n]*"/ nocase

    condition:
        filesize < 1MB and $donate and $pools and $url and $user
}

rule CoinMiner_Binary_PE : coinminer miner
{
    meta:
        author = "xiaoan"
        description = "Windows program with the stratum mining protocol and miner markers (XMRig, cpuminer, RandomX, donation level)"
        severity = "high"
        category = "coinminer"

    strings:
        $m1 = "mining.subscrib\x65" ascii
        $m2 = "mining.authoriz\x65" ascii
        $m3 = "mining.submi\x74" ascii
        $m4 = "stratum+tcp\x3a//" ascii nocase
        $m5 = "donate-leve\x6c" ascii
        $m6 = "xmri\x67" ascii nocase
        $m7 = "cpumine\x72" ascii nocase
        $m8 = "randomx" ascii nocase

    condition:
        uint16(0) == 0x5A4D and filesize < 32MB and 3 of ($m*)
}

rule CoinMiner_Binary_ELF : coinminer miner
{
    meta:
        author = "xiaoan"
        description = "Linux program with the stratum mining protocol and miner markers (XMRig, cpuminer, RandomX, donation level)"
        severity = "high"
        category = "coinminer"

    strings:
        $m1 = "mining.subscrib\x65" ascii
        $m2 = "mining.authoriz\x65" ascii
        $m3 = "mining.submi\x74" ascii
        $m4 = "stratum+tcp\x3a//" ascii nocase
        $m5 = "donate-leve\x6c" ascii
        $m6 = "xmri\x67" ascii nocase
        $m7 = "cpumine\x72" ascii nocase
        $m8 = "randomx" ascii nocase

    condition:
        uint32(0) == 0x464C457F and filesize < 32MB and 3 of ($m*)
}
