module goquote

go 1.19
