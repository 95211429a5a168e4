"""Readers for signing artefacts: provisioning profiles, code signatures (Mach-O, DER),
built products (.app, .ipa, .xcarchive) and Xcode projects.

Each turns an artefact into documents and target facts that the engine lints like any
other file; ``signing`` is the entry point the CLI and the Python API call.
"""
