module syscraft.local/distributed

go 1.19
