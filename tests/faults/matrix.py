#!/usr/bin/python3
"""The fault matrix (issue #13): kill -9, signals in every phase, disk faults, hostile
inventory values. Run it through tests/faults/run, which makes the private network and
mount namespace it needs. Arguments select cases by substring (e.g. `signals.sigterm`)."""

import sys

import disk
import hostile
import kill9
import paths
import process
import signals
from faultlib import Matrix

matrix = Matrix()
for module in (hostile, disk, paths, process, signals, kill9):
    module.register(matrix)
sys.exit(matrix.run(sys.argv[1:]))
