module syscraft.local/dns

go 1.19
