#!/bin/bash

apt-get -y update
apt-get install -y apache2

