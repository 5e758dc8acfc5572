module syscraft.local/tunnel

go 1.19
