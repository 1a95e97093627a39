# Install updates
sudo apt-get -y update

#Install Mongo DB
echo  "sudo apt-get install -y mongodb-org"
