module syscraft.local/redis

go 1.19
