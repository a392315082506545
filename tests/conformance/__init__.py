"""Conformance with the published tables: every number of the lectures and papers, transcribed as data.

Each table in the data modules (alexnet, vgg, googlenet, resnet, small) is compared cell by cell with what archstat
computes (measure), under the conventions stated in conventions.py and on each table. Where a published number is
itself wrong, an Erratum records the published value, archstat's value and the arithmetic; the test then holds
archstat to its value and checks that the published one really disagrees. docs/errata.md lists the errata.
"""
