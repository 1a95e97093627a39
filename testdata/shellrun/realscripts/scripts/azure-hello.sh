#!/bin/bash

echo 'hello'
