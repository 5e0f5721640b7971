#!/usr/bin/python3
"""The fault matrix: kill -9, signals in every phase, disk faults, hostile
inventory values, absurd state values and bad clocks. Run it through Tests/faults/run, which makes the private network and
mount namespace it needs. Arguments select cases by substring (e.g. `signals.sigterm`)."""

import sys

import disk
import hostile
import kill9
import paths
import process
import retention
import signals
import statefaults
from faultlib import Matrix

matrix = Matrix()
for module in (hostile, disk, paths, process, signals, kill9, statefaults, retention):
    module.register(matrix)
sys.exit(matrix.run(sys.argv[1:]))
