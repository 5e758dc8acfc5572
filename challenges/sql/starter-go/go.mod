module syscraft.local/sql

go 1.19
