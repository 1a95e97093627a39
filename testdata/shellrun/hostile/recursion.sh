#!/bin/bash
f() { f; }
f
