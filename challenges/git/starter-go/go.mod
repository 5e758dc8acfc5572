module syscraft.local/git

go 1.19
