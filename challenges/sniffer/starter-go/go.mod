module syscraft.local/sniffer

go 1.19
