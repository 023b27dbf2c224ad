module pproftop/scenario

go 1.19
