module syscraft.local/container

go 1.19
