# The same verbs as tasks.py, for those who type `make`.
.PHONY: demo test bench docs serve versions system
demo test bench docs serve versions system:
	python3 tasks.py $@
