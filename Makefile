# The same verbs as tasks.py, for those who type `make`.
.PHONY: demo test bench docs serve versions
demo test bench docs serve versions:
	python3 tasks.py $@
