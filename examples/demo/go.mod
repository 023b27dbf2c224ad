module pproftop/demo

go 1.19
