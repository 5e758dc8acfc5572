module syscraft.local/http

go 1.19
