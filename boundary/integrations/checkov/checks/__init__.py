# Checkov loads every module of a folder given to --external-checks-dir that has an
# __init__.py; this folder holds the one module that registers boundary's checks.
