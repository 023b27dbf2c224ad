module mutexgen

go 1.19
