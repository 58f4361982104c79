class SecurityController < ApplicationController
  # ruleid: ruby.csrf-disabled
  skip_before_action :verify_authenticity_token
  # ok: ruby.csrf-disabled, ruby.auth-filter-skipped-with-except
  skip_before_action :authenticate_user!, only: [:index]
  # ruleid: ruby.auth-filter-skipped-with-except
  skip_before_action :authenticate_user!, except: [:destroy]

  def commands(dir)
    # ruleid: ruby.command-injection
    system("tar czf backup.tgz #{dir}")
    # ruleid: ruby.command-injection
    files = `ls #{params[:dir]}`
    # ruleid: ruby.command-injection
    out, status = Open3.capture2("grep #{params[:q]} log.txt")
    # ruleid: ruby.command-injection
    exec("sh", "-c", dir)
    # ruleid: ruby.command-injection
    open("|#{params[:cmd]}")
    # ok: ruby.command-injection
    system("tar", "czf", "backup.tgz", dir)
    # ok: ruby.command-injection
    files = `ls /tmp`
    # ok: ruby.command-injection
    exec("sh", "-c", "ls -la")
    # ok: ruby.command-injection
    open("config/settings.yml")
    # ok: ruby.command-injection-dynamic
    system(dir)
    # ruleid: ruby.command-injection-dynamic
    system(params[:command])
    # ok: ruby.command-injection-dynamic
    system("uptime")
  end

  def code
    # ruleid: ruby.code-injection
    eval(params[:code])
    # ruleid: ruby.code-injection
    Array.class_eval(cookies[:snippet])
    # ok: ruby.code-injection
    eval("def zen; 42; end")
    # ok: ruby.code-injection
    User.class_eval do
      def greet; end
    end
    # ruleid: ruby.unsafe-reflection
    @user.send(params[:action])
    # ruleid: ruby.unsafe-reflection
    klass = params[:type].constantize
    # ok: ruby.unsafe-reflection
    @user.send(:name)
  end

  def queries
    # ruleid: ruby.sql-injection
    User.where("name = '#{params[:name]}'")
    # ruleid: ruby.sql-injection
    User.find_by_sql("SELECT * FROM users WHERE id = " + params[:id])
    # ruleid: ruby.sql-injection
    ActiveRecord::Base.connection.execute("DELETE FROM logs WHERE day = '#{day}'")
    # ruleid: ruby.sql-injection
    conn.exec("SELECT * FROM users WHERE email = '#{email}'")
    sql = "SELECT * FROM users WHERE name = '#{params[:name]}'"
    # ruleid: ruby.sql-injection
    User.find_by_sql(sql)
    safe_sql = "SELECT * FROM users WHERE active"
    # ok: ruby.sql-injection
    User.find_by_sql(safe_sql)
    # ok: ruby.sql-injection
    User.where("name = ?", params[:name])
    # ok: ruby.sql-injection
    User.where(name: params[:name])
    # ok: ruby.sql-injection
    conn.exec_params("SELECT * FROM users WHERE email = $1", [email])
  end

  def mongo(name)
    # ruleid: ruby.nosql-injection
    Post.where("$where" => "this.owner == '#{name}'")
    # ok: ruby.nosql-injection
    Post.where(owner: name)
  end

  def deserialize(data)
    # ruleid: ruby.unsafe-deserialization
    obj = Marshal.load(data)
    # ok: ruby.unsafe-deserialization
    obj = JSON.parse(data)
    # ruleid: ruby.yaml-unsafe-load
    obj = YAML.load(data)
    # ok: ruby.yaml-unsafe-load
    obj = YAML.safe_load(data)
    # ok: ruby.yaml-unsafe-load
    settings = YAML.load(File.read("config/settings.yml"))
  end

  def crypto(password)
    # ruleid: ruby.weak-hash
    digest = Digest::MD5.hexdigest(password)
    # ruleid: ruby.weak-hash
    sha = OpenSSL::Digest::SHA1.new
    # ruleid: ruby.weak-hash
    sha2 = OpenSSL::Digest.new("md5")
    # ok: ruby.weak-hash
    good = Digest::SHA256.hexdigest(password)
    # ruleid: ruby.weak-cipher
    cipher = OpenSSL::Cipher.new("des-ede3-cbc")
    # ruleid: ruby.weak-cipher
    ecb = OpenSSL::Cipher.new("aes-128-ecb")
    # ok: ruby.weak-cipher
    gcm = OpenSSL::Cipher.new("aes-256-gcm")
    # ruleid: ruby.weak-rsa-key
    key = OpenSSL::PKey::RSA.new(1024)
    # ok: ruby.weak-rsa-key
    key2 = OpenSSL::PKey::RSA.new(2048)
    # ruleid: ruby.insecure-random
    reset_token = rand(36**20).to_s(36)
    # ok: ruby.insecure-random
    api_token = SecureRandom.hex(20)
    # ok: ruby.insecure-random
    delay = rand(10)
    # ruleid: ruby.jwt-none-algorithm
    token = JWT.encode(payload, nil, "none")
    # ok: ruby.jwt-none-algorithm
    token = JWT.encode(payload, secret, "HS256")
  end

  def tls
    http = Net::HTTP.new(host, 443)
    # ruleid: ruby.tls-verify-none
    http.verify_mode = OpenSSL::SSL::VERIFY_NONE
    # ok: ruby.tls-verify-none
    http.verify_mode = OpenSSL::SSL::VERIFY_PEER
    # ruleid: ruby.tls-verify-none
    RestClient::Request.execute(method: :get, url: url, verify_ssl: false)
  end

  def xml(xml)
    # ruleid: ruby.xxe
    doc = Nokogiri::XML(xml, nil, nil, Nokogiri::XML::ParseOptions::NOENT)
    # ok: ruby.xxe
    doc = Nokogiri::XML(xml)
    # ruleid: ruby.xxe
    XML.default_substitute_entities = true
    # ok: ruby.xxe
    XML.default_substitute_entities = false
  end

  def web
    # ruleid: ruby.open-redirect
    redirect_to params[:return_to]
    # ok: ruby.open-redirect
    redirect_to root_path
    # ruleid: ruby.path-traversal
    send_file params[:file]
    # ruleid: ruby.path-traversal
    contents = File.read("uploads/#{params[:name]}")
    # ok: ruby.path-traversal
    contents = File.read("uploads/#{File.basename(name)}")
    # ruleid: ruby.path-traversal
    render file: params[:template]
    # ok: ruby.path-traversal
    render template: "users/show"
    page = params[:page]
    # ruleid: ruby.path-traversal
    render file: "/app/pages/#{page}"
    # ok: ruby.path-traversal
    render :index
    # ruleid: ruby.xss-html-safe
    @bio = "<p>#{@user.bio}</p>".html_safe
    # ok: ruby.xss-html-safe
    @sep = "<br>".html_safe
    # ruleid: ruby.xss-html-safe
    render inline: "<h1>#{params[:title]}</h1>"
    # ruleid: ruby.mass-assignment
    User.create(params.permit!)
    # ok: ruby.mass-assignment
    User.create(params.require(:user).permit(:name, :email))
    # ruleid: ruby.mass-assignment
    User.create(params.require(:user).permit(:name, :admin))
    # ruleid: ruby.mass-assignment
    User.new(params[:user], without_protection: true)
  end
end

class Account < ApplicationRecord
  # ruleid: ruby.validation-regex-anchors
  validates :username, format: { with: /^[a-z0-9_]+$/ }
  # ruleid: ruby.validation-regex-anchors
  validates_format_of :phone, :with => /\d{3}-\d{4}/
  # ok: ruby.validation-regex-anchors
  validates :slug, format: { with: /\A[a-z0-9-]+\z/i }
end

# ruleid: ruby.cookie-insecure-flag
Rails.application.config.session_store :cookie_store, key: "_app_session", httponly: false
# ruleid: ruby.cookie-insecure-flag
Rails.application.config.session_store :cookie_store, :key => "_app_session", :secure => false
# ok: ruby.cookie-insecure-flag
Rails.application.config.session_store :cookie_store, key: "_app_session", httponly: true

Rails.application.configure do
  # ruleid: ruby.force-ssl-disabled
  config.force_ssl = false
  # ok: ruby.force-ssl-disabled
  config.force_ssl = true
end
