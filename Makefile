# The same verbs as tasks.py, for those who type `make`.
.PHONY: demo test bench docs serve
demo test bench docs serve:
	python3 tasks.py $@
