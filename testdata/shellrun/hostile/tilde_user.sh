#!/bin/bash
ls ~nobody
echo x > ~www-data/owned
eval "echo ~daemon"
